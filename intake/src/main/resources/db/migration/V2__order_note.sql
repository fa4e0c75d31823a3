-- Release 4: an order may carry a note from the customer (at most 500 characters; the intake checks it with the
-- saga's rules). Nullable and without a default, so the column is added without rewriting the table.
ALTER TABLE orders ADD COLUMN note text;
