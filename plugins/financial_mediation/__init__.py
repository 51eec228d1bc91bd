"""OneDoor plugin: Financial mediation."""
