package main

// FerretDB 1.24's SQLite backend looks documents up by _id with the
// expression `_ferretdb_sjson->'$._id'`, but indexes `_ferretdb_sjson->"_id"`.
// SQLite matches index expressions by their text, so every lookup and update
// by _id scans the whole table and slows down as the collection grows. This
// keeps an index with the exact lookup expression on every collection's table.
// SQLite maintains it on every write; FerretDB neither sees nor needs it.

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite"
)

type indexedFile struct {
	db   *sql.DB
	info os.FileInfo
}

func runIDIndexer(ctx context.Context, dir string, logger *slog.Logger) {
	files := map[string]*indexedFile{}

	defer func() {
		for _, f := range files {
			f.db.Close()
		}
	}()

	ticker := time.NewTicker(250 * time.Millisecond)
	defer ticker.Stop()

	for {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, path := range paths {
			if err := indexFile(ctx, files, path); err != nil {
				logger.Debug("id indexer: will retry", "file", path, "error", err)
			}
		}

		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func indexFile(ctx context.Context, files map[string]*indexedFile, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}

	f := files[path]
	if f != nil && !os.SameFile(f.info, info) {
		// The database was dropped and made again: the old handle points at a deleted file.
		f.db.Close()
		delete(files, path)
		f = nil
	}

	if f == nil {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
		if err != nil {
			return err
		}

		db.SetMaxOpenConns(1)
		f = &indexedFile{db: db, info: info}
		files[path] = f
	}

	// Tables without the lookup index; read-only, so a pass with nothing to do takes no lock.
	rows, err := f.db.QueryContext(ctx, `
		SELECT c.table_name FROM _ferretdb_collections c
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = c.table_name || '_id_lookup')`)
	if err != nil {
		return err
	}

	var missing []string

	for rows.Next() {
		var table string
		if err := rows.Scan(&table); err != nil {
			rows.Close()
			return err
		}

		missing = append(missing, table)
	}

	rows.Close()

	for _, table := range missing {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, table+"_id_lookup", table)
		if _, err := f.db.ExecContext(ctx, q); err != nil {
			return err
		}
	}

	return nil
}
