"""What extract and convert write: records and whole documents."""
