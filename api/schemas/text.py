"""Rules every text field of a request follows."""

# PostgreSQL text and jsonb cannot hold a NUL character: refused at the door, it is a 422, not a 500.
NO_NUL = r"^[^\x00]*$"
