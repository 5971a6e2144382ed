"""Reading posts: bytes to text, front matter and body, and posts as JSON Lines records."""
