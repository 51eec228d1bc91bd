"""OneDoor plugin: Campus."""
