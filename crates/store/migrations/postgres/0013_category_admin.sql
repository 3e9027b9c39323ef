-- Categories managed by admins (PostgreSQL). Keep in step with ../sqlite/0013_category_admin.sql.

-- A retired category stays on the tickets filed under it but can no longer be chosen.
ALTER TABLE categories ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
