"""OneDoor plugin: Scenic area."""
