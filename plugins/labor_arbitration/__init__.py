"""OneDoor plugin: Labor arbitration."""
