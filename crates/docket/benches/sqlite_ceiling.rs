//! The SQLite ceiling for `bench/import.sh`: the rows `docket import` stored, inserted again
//! by a plain prepared-statement loop — no parsing of events, no rules, no projection
//! computation — into the same schema with the same pragmas and transaction size.
//!
//! `cargo bench -p docket --bench sqlite_ceiling -- DB EVENTS_CSV PROJECTION_CSV`
//! (the CSV files are `SELECT *` dumps of `events` and `case_projection`; DB is a fresh
//! database created by `docket init`).

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let [db, events, projections] = args.as_slice() else {
        eprintln!("usage: sqlite_ceiling DB EVENTS_CSV PROJECTION_CSV");
        std::process::exit(2);
    };
    let mut conn = rusqlite::Connection::open(db)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "cache_size", -262_144)?;
    conn.pragma_update(None, "wal_autocheckpoint", 16_384)?;
    let started = Instant::now();
    let mut rows = 0u64;
    for (path, sql, width) in [
        (events, "INSERT INTO events VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", 11),
        (projections, "INSERT INTO case_projection VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", 7),
    ] {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(path)?;
        let mut record = csv::StringRecord::new();
        let mut done = false;
        while !done {
            let tx = conn.transaction()?;
            {
                let mut stmt = tx.prepare_cached(sql)?;
                for _ in 0..20_000 {
                    if !reader.read_record(&mut record)? {
                        done = true;
                        break;
                    }
                    let values: Vec<Option<&str>> =
                        (0..width).map(|i| record.get(i).filter(|v| !v.is_empty())).collect();
                    stmt.execute(rusqlite::params_from_iter(values))?;
                    rows += 1;
                }
            }
            tx.commit()?;
        }
    }
    println!("{rows} rows in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
