"""The pure core: plain data in, plans or problems out; never imports `github` or reads files."""
