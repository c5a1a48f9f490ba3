"""The kernel: the registry, the timer loop and the middleware pipeline."""
