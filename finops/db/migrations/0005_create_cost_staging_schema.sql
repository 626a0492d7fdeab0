-- Where a load stages its file, in pieces, while it inserts the pieces already staged. A piece is
-- an UNLOGGED table (no WAL: it is rebuilt from the file if lost) that a second connection fills
-- and commits, so the loading transaction can read it while the next piece is being parsed.
CREATE SCHEMA finops_staging;
