"""Storage: the aiosqlite connection, the schema and repository functions in domain terms.

No SQL lives outside this package.
"""

from storage.db import Database, StorageError, StorageUnavailable, from_db, to_db

__all__ = ["Database", "StorageError", "StorageUnavailable", "from_db", "to_db"]
