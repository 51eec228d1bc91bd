"""Essential core plugins: always enabled for every tenant, registered like any other plugin."""
