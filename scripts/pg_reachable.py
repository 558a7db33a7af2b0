"""Exit 0 when the PostgreSQL at the URL given accepts a connection within 5 seconds."""

import sys

import psycopg

try:
    psycopg.connect(sys.argv[1], connect_timeout=5).close()
except psycopg.Error as error:
    print(f"PostgreSQL: {str(error).strip().splitlines()[0]}", file=sys.stderr)
    raise SystemExit(1) from None
