"""Runs over many posts: inputs, outputs, workers and progress."""
