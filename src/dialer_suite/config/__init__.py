"""The one settings layer: typed options read from the command line, the environment
and a TOML file, the command line winning over the environment over the file."""
