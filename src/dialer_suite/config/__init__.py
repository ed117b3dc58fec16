"""The one settings layer: each setting declared once (``declare``), read from a TOML file, the
environment and the command line, the command line winning over the environment over the file."""
