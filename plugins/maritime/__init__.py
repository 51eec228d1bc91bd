"""OneDoor plugin: Maritime."""
