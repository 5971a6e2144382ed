"""The command line: options in, one frozen run context down, exit codes out."""
