"""The DFS Admin Services API (additiv DFS), emulated on the shared core."""
