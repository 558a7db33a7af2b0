"""Pure business rules: standard library only, no Django, never reads the clock."""
