"""Assembly: discovery of plugin distributions, jobify.toml, and building an app's parts."""
