//! `docket`: the command line. Parses arguments, calls the libraries, renders the results.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use docket::import::{ImportConfig, ImportReport, import_files};
#[cfg(feature = "synth")]
use docket_core::Date;
use docket_core::{CaseId, DocketReport, Stage, Timestamp};
use docket_store::Store;
#[cfg(feature = "synth")]
use docket_synth::linkage::{LinkDataKind, LinkDataOptions};
#[cfg(feature = "synth")]
use docket_synth::{self as synth, SynthConfig};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

// Import allocates and frees small strings for every field of every event; mimalloc does
// that markedly faster than the system allocator (measured in BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "docket", version, about = "A system of record for immigration removal cases")]
struct Cli {
    /// Database URL: `sqlite://PATH` or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, global = true, env = "DOCKET_DATABASE_URL", default_value = "sqlite://docket.db")]
    db: String,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Who is acting, for the access log (default: the `USER` environment variable).
    #[arg(long, global = true, env = "DOCKET_ACTOR")]
    actor: Option<String>,
    /// The ledger's signing key file (default: beside a SQLite database, else
    /// `docket-ledger.key`).
    #[arg(long, global = true, env = "DOCKET_LEDGER_KEY")]
    ledger_key: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database or migrate it to this version's schema.
    Init,
    /// Write a deterministic synthetic docket: DIR/persons.csv and DIR/events.jsonl.
    #[cfg(feature = "synth")]
    Synth {
        /// Number of cases (one person each).
        #[arg(long)]
        cases: u64,
        /// Random seed; the same seed, count and as-of date give the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// The date the docket is as of (YYYY-MM-DD); default today.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Write seeded record-linkage test data: DIR/a.csv, DIR/b.csv and DIR/truth.csv (the rows
    /// that are the same person). See docs/linkage-data.md.
    #[cfg(feature = "synth")]
    LinkData {
        /// `febrl`: FEBRL-style records, B rows perturbed copies of A rows; `manifest`: docket
        /// persons (A) and departure-manifest travellers (B).
        #[arg(long, value_enum)]
        kind: LinkKind,
        /// Rows of table A [default: 5000 for febrl, 1000000 for manifest].
        #[arg(long)]
        rows_a: Option<u64>,
        /// Rows of table B [default: 5000 for febrl, 350000 for manifest].
        #[arg(long)]
        rows_b: Option<u64>,
        /// Random seed; the same options give byte-identical files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// `manifest` only: the share of travellers who are docket persons [default: 0.02].
        #[arg(long)]
        match_share: Option<f64>,
        /// `febrl` only: one table of originals and duplicates (DIR/records.csv) instead of two.
        #[arg(long)]
        dedupe: bool,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// Import persons (.csv) and events (.jsonl); bad rows are reported and skipped.
    Import {
        /// Where to write rejected rows, one JSON object per line.
        #[arg(long, default_value = "docket-rejects.jsonl")]
        rejects: PathBuf,
        /// Events per transaction.
        #[arg(long, default_value_t = 20_000)]
        batch_size: usize,
        /// Append the id of each stored event to this file once its transaction has committed.
        #[arg(long)]
        commit_log: Option<PathBuf>,
        /// Files to import; persons files are imported before events files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Look at one case.
    Case {
        #[command(subcommand)]
        command: CaseCommand,
    },
    /// Look at one person's record.
    Person {
        #[command(subcommand)]
        command: PersonCommand,
    },
    /// Recompute every case projection from the events and report any that differed.
    Rebuild,
    /// Disclose a person's record outside the agency: write the disclosure packet and record
    /// the disclosure (5 U.S.C. 552a(c)) in the audit ledger.
    Disclose {
        /// The person id.
        person_id: String,
        /// The recipient's name.
        #[arg(long)]
        recipient: String,
        /// The recipient's address.
        #[arg(long)]
        address: String,
        /// The purpose of the disclosure.
        #[arg(long)]
        purpose: String,
        /// The nature of what is disclosed.
        #[arg(long, default_value = "case timelines, current legal state and deadlines")]
        nature: String,
        /// A disclosure to a law-enforcement agency under 5 U.S.C. 552a(b)(7).
        #[arg(long)]
        law_enforcement: bool,
        /// Where to write the disclosure packet (JSON).
        #[arg(long)]
        out: PathBuf,
    },
    /// The accounting of disclosures of one person's record.
    Disclosures {
        /// The person id.
        person_id: String,
        /// Why the accounting is read (see `case show --help`); recorded in the ledger.
        #[arg(long)]
        purpose: Option<String>,
        /// Leave out law-enforcement disclosures under 5 U.S.C. 552a(b)(7), as the accounting
        /// given to the person may (5 U.S.C. 552a(c)(3)).
        #[arg(long)]
        for_the_person: bool,
    },
    /// The tamper-evident audit ledger: verify, checkpoints, proofs.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// The supervisor's summary of the docket as of now.
    Report {
        /// As of this instant (RFC 3339) instead of now.
        #[arg(long)]
        as_of: Option<String>,
        /// Days ahead for deadlines coming due.
        #[arg(long, default_value_t = 30)]
        horizon: i32,
    },
    /// Link the rows of two CSV tables that describe the same entity (or find duplicates in
    /// one), as a settings file describes; see docs/linkage.md.
    Link {
        /// The settings file (TOML).
        #[arg(long)]
        settings: PathBuf,
        /// Table A and, when the settings say `mode = "link"`, table B.
        #[arg(required = true, num_args = 1..=2)]
        files: Vec<PathBuf>,
        /// Where to write the accepted pairs (CSV).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Save the fitted model here (JSON).
        #[arg(long)]
        model_out: Option<PathBuf>,
        /// Use this saved model instead of fitting one.
        #[arg(long, conflicts_with = "model_out")]
        model: Option<PathBuf>,
        /// True pairs (CSV with a header, ids of A then B): print precision, recall, F1 and
        /// blocking recall.
        #[arg(long)]
        truth: Option<PathBuf>,
        /// Print the weights behind one pair's score.
        #[arg(long, num_args = 2, value_names = ["ID_A", "ID_B"])]
        explain: Option<Vec<String>>,
    },
    /// The main job: synthesize 100,000 cases, import them into SQLite, print the summary.
    #[cfg(feature = "synth")]
    Demo {
        /// Number of cases.
        #[arg(long, default_value_t = 100_000)]
        cases: u64,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Directory for the synthetic files and the demo database (replaced if present).
        #[arg(long, default_value = "docket-demo")]
        dir: PathBuf,
    },
}

/// The kinds of `link-data`.
#[cfg(feature = "synth")]
#[derive(Clone, Copy, clap::ValueEnum)]
enum LinkKind {
    Febrl,
    Manifest,
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Recompute the tree from the stored leaves and events; check every signed checkpoint.
    Verify {
        /// The verifier key text (`NAME+ID+KEY`); default: derived from the key file.
        #[arg(long)]
        vkey: Option<String>,
    },
    /// Sign and store a checkpoint of the ledger as it is now, and print it.
    Checkpoint,
    /// An inclusion proof for an event against the latest checkpoint.
    Prove {
        /// The event id.
        event_id: String,
    },
    /// A consistency proof between two tree sizes.
    Consistency {
        /// The older size.
        old_size: u64,
        /// The newer size.
        new_size: u64,
    },
    /// Print the verifier (public) key; the private key is never printed.
    Key,
}

#[derive(Subcommand)]
enum PersonCommand {
    /// Identity facts as recorded, and the person's cases with their stage now.
    Show {
        /// The person id.
        person_id: String,
        /// Why the record is read (see `case show --help`). Required; recorded in the ledger.
        #[arg(long)]
        purpose: Option<String>,
    },
}

#[derive(Subcommand)]
enum CaseCommand {
    /// Current state: stage, protections in force, deadlines.
    Show {
        /// The case id.
        case_id: String,
        /// Why the record is read: case_work, enforcement_decision, counsel_request,
        /// oversight, privacy_act_request, data_correction or litigation. Required; the read
        /// is recorded in the audit ledger.
        #[arg(long)]
        purpose: Option<String>,
        /// As of this instant (RFC 3339) instead of now.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Every event of the case, in order.
    Timeline {
        /// The case id.
        case_id: String,
        /// Why the record is read (see `case show --help`). Required; recorded in the ledger.
        #[arg(long)]
        purpose: Option<String>,
    },
}

fn now() -> Timestamp {
    docket_store::now()
}

fn parse_instant(s: Option<&str>) -> Result<Timestamp> {
    match s {
        None => Ok(now()),
        Some(s) => Timestamp::parse(s).with_context(|| format!("`--as-of {s}`")),
    }
}

fn open_store(url: &str) -> Result<Store> {
    let mut s = Store::open(url).with_context(|| format!("cannot open database `{url}`"))?;
    s.check_schema().with_context(|| format!("database `{url}`"))?;
    Ok(s)
}

fn bar(len: u64, what: &str, json: bool) -> ProgressBar {
    if json {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new(len);
    b.set_style(
        ProgressStyle::with_template(
            "{msg:>10} [{bar:40}] {percent:>3}% {human_pos}/{human_len} ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    b.set_message(what.to_owned());
    b
}

fn byte_bar(json: bool) -> ProgressBar {
    if json {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new(0);
    b.set_style(
        ProgressStyle::with_template(
            "{msg:>10} [{bar:40}] {percent:>3}% {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    b
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let json = cli.json;
    let key_path = cli.ledger_key.clone().unwrap_or_else(|| docket::keys::default_key_path(&cli.db));
    match cli.command {
        Command::Init => {
            let mut s = Store::open(&cli.db).with_context(|| format!("cannot open database `{}`", cli.db))?;
            let v = s.migrate().context("migrating the schema")?;
            let created = docket::keys::ensure_key(&key_path)?;
            let vkey = docket::keys::read_key(&key_path)?.verifier_key_text();
            let cp = checkpoint(&mut s, &key_path)?;
            print(
                json,
                json!({"database": cli.db, "schema_version": v, "ledger_key": key_path, "key_created": created,
                       "verifier_key": vkey, "ledger_size": cp.size}),
                || {
                    format!(
                        "database `{}` is at schema version {v}; ledger of {} leaves\n{} ledger key `{}` (keep it secret)\nverifier key: {vkey}",
                        cli.db,
                        cp.size,
                        if created { "created" } else { "using" },
                        key_path.display()
                    )
                },
            );
        }
        Command::Ledger { command } => return ledger_command(&cli.db, &key_path, command, json),
        Command::Disclose { person_id, recipient, address, purpose, nature, law_enforcement, out } => {
            let d = Disclosure { recipient, address, purpose, nature, law_enforcement, out };
            disclose(&cli.db, cli.actor.as_deref(), &person_id, d, json)?;
        }
        Command::Disclosures { person_id, purpose, for_the_person } => {
            let mut store = open_store(&cli.db)?;
            let id = docket_core::PersonId::parse(&person_id).with_context(|| format!("person id `{person_id}`"))?;
            if store.person(&id)?.is_none() {
                bail!("no person `{person_id}` in `{}`", cli.db);
            }
            let (actor, purpose) = read_context(cli.actor.as_deref(), purpose.as_deref(), &format!("person `{id}`"))?;
            store.record_access(&actor, purpose, docket_store::AccessedRecord::Person(&id), now())?;
            let rows: Vec<_> =
                store.disclosures(&id)?.into_iter().filter(|(_, d)| !(for_the_person && d.law_enforcement)).collect();
            print(
                json,
                json!(
                    rows.iter()
                        .map(|(n, d)| json!({"id": n, "date": d.disclosed_at, "nature": d.nature, "purpose": d.purpose,
                    "recipient_name": d.recipient_name, "recipient_address": d.recipient_address,
                    "law_enforcement_b7": d.law_enforcement, "packet_sha256": d.packet_sha256}))
                        .collect::<Vec<_>>()
                ),
                || {
                    let mut s = format!("Accounting of disclosures of {id} (5 U.S.C. 552a(c)): {}\n", rows.len());
                    for (n, d) in &rows {
                        s.push_str(&format!(
                            "  #{n} {}  to {}, {}\n      purpose: {}\n      nature: {}{}\n",
                            d.disclosed_at,
                            d.recipient_name,
                            d.recipient_address.replace('\n', ", "),
                            d.purpose,
                            d.nature,
                            if d.law_enforcement {
                                "\n      law-enforcement disclosure under 5 U.S.C. 552a(b)(7)"
                            } else {
                                ""
                            }
                        ));
                    }
                    s
                },
            );
        }
        #[cfg(feature = "synth")]
        Command::Synth { cases, seed, out, as_of } => {
            let as_of = match as_of {
                Some(d) => Date::parse(&d).with_context(|| format!("`--as-of {d}`"))?,
                None => now().local_date(),
            };
            let totals = synthesize(cases, seed, as_of, &out, json)?;
            print(
                json,
                json!({"persons": totals.persons, "cases": totals.cases, "events": totals.events,
                       "as_of": as_of.to_string(), "out": out}),
                || {
                    format!(
                        "wrote {} persons to {} and {} events of {} cases to {} (as of {as_of}, seed {seed})",
                        totals.persons,
                        out.join("persons.csv").display(),
                        totals.events,
                        totals.cases,
                        out.join("events.jsonl").display()
                    )
                },
            );
        }
        #[cfg(feature = "synth")]
        Command::LinkData { kind, rows_a, rows_b, seed, match_share, dedupe, out } => {
            let kind = match kind {
                LinkKind::Febrl => LinkDataKind::Febrl,
                LinkKind::Manifest => LinkDataKind::Manifest,
            };
            if kind == LinkDataKind::Febrl && match_share.is_some() {
                bail!("`--match-share` applies to `--kind manifest` only: every febrl B row is a duplicate");
            }
            let defaults = LinkDataOptions::new(kind);
            let opts = LinkDataOptions {
                rows_a: rows_a.unwrap_or(defaults.rows_a),
                rows_b: rows_b.unwrap_or(defaults.rows_b),
                seed,
                match_share: match_share.unwrap_or(defaults.match_share),
                dedupe,
                threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
                ..defaults
            };
            let started = Instant::now();
            let summary = synth::linkage::generate(&opts, &out)?;
            let secs = started.elapsed().as_secs_f64();
            let tables: Vec<_> = summary.tables.iter().map(|(p, n)| json!({"path": p, "rows": n})).collect();
            print(
                json,
                json!({"tables": tables, "truth": summary.truth, "true_pairs": summary.true_pairs,
                       "travellers": summary.travellers, "seed": seed, "seconds": secs}),
                || {
                    let tables: Vec<String> =
                        summary.tables.iter().map(|(p, n)| format!("{} ({n} rows)", p.display())).collect();
                    let travellers =
                        summary.travellers.as_ref().map(|p| format!(" and {}", p.display())).unwrap_or_default();
                    format!(
                        "wrote {}, {} ({} true pairs){travellers} in {secs:.1} s (seed {seed})",
                        tables.join(", "),
                        summary.truth.display(),
                        summary.true_pairs
                    )
                },
            );
        }
        Command::Import { rejects, batch_size, commit_log, files } => {
            let mut store = open_store(&cli.db)?;
            let cfg = ImportConfig { batch_size: batch_size.max(1), rejects, today: now().local_date(), commit_log };
            let report = run_import(&mut store, &files, &cfg, json)?;
            // Bind what was imported under a signed checkpoint, so that later tampering with
            // these rows or their leaves is caught by `ledger verify`.
            if key_path.exists() {
                checkpoint(&mut store, &key_path)?;
            }
            print_import(&report, json);
            if report.rejected() > 0 {
                return Ok(ExitCode::from(2));
            }
        }
        Command::Link { settings, files, out, model_out, model, truth, explain } => {
            use std::io::IsTerminal as _;
            let args = docket::link::LinkArgs {
                settings,
                files,
                out,
                model_out,
                model,
                truth,
                explain,
                json,
                progress: std::io::stderr().is_terminal(),
            };
            let code = docket::link::run(&args)?;
            if code != 0 {
                std::process::exit(code);
            }
        }
        Command::Case { command } => case_command(&cli.db, cli.actor.as_deref(), command, json)?,
        Command::Person { command: PersonCommand::Show { person_id, purpose } } => {
            let mut store = open_store(&cli.db)?;
            let id = docket_core::PersonId::parse(&person_id).with_context(|| format!("person id `{person_id}`"))?;
            let Some(person) = store.person(&id)? else { bail!("no person `{person_id}` in `{}`", cli.db) };
            let (actor, purpose) = read_context(cli.actor.as_deref(), purpose.as_deref(), &format!("person `{id}`"))?;
            // INVARIANT: the read is in the ledger before anything of the record is shown.
            store.record_access(&actor, purpose, docket_store::AccessedRecord::Person(&id), now())?;
            let t = now();
            let mut cases = Vec::new();
            for case in store.cases_of_person(&id)? {
                if let Some(s) = store.summary(&case)? {
                    cases.push(docket::show::PersonCase {
                        case_id: case.to_string(),
                        stage: s.stage_at(t).name(),
                        version: s.version,
                    });
                }
            }
            print(json, docket::show::person_json(&person, &cases), || docket::show::person_text(&person, &cases));
        }
        Command::Rebuild => {
            let mut store = open_store(&cli.db)?;
            let total = store.stats()?.events;
            let b = bar(total, "rebuild", json);
            let started = Instant::now();
            let r = store.rebuild(&mut |n| b.set_position(n))?;
            b.finish_and_clear();
            print(
                json,
                json!({"cases": r.cases, "events": r.events, "differing": r.differing_count,
                       "first_differing": r.differing, "seconds": started.elapsed().as_secs_f64()}),
                || {
                    let mut s = format!(
                        "rebuilt {} case projections from {} events in {:.1} s: ",
                        r.cases,
                        r.events,
                        started.elapsed().as_secs_f64()
                    );
                    if r.differing_count == 0 {
                        s.push_str("all identical to the stored ones");
                    } else {
                        s.push_str(&format!(
                            "{} differed and were replaced (first: {})",
                            r.differing_count,
                            r.differing.join(", ")
                        ));
                    }
                    s
                },
            );
            if r.differing_count > 0 {
                return Ok(ExitCode::from(3));
            }
        }
        Command::Report { as_of, horizon } => {
            let t = parse_instant(as_of.as_deref())?;
            let mut store = open_store(&cli.db)?;
            let report = docket_report(&mut store, t, horizon)?;
            print(json, report_json(&report), || report_text(&report));
        }
        #[cfg(feature = "synth")]
        Command::Demo { cases, seed, dir } => demo(cases, seed, &dir, json)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Signs and stores a checkpoint of the ledger as it is now.
fn checkpoint(store: &mut Store, key_path: &Path) -> Result<docket_store::ledger::StoredCheckpoint> {
    let key = docket::keys::read_key(key_path)?;
    let (size, root) = store.ledger_head()?;
    let note = docket_ledger::Checkpoint::new(docket::keys::origin(&key), size, root)
        .context("building the checkpoint")?
        .sign(&key);
    Ok(store.add_checkpoint(&note, &key.verifier_key())?)
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn ledger_command(db: &str, key_path: &Path, command: LedgerCommand, json: bool) -> Result<ExitCode> {
    let mut store = open_store(db)?;
    match command {
        LedgerCommand::Key => {
            let vkey = docket::keys::read_key(key_path)?.verifier_key_text();
            print(json, json!({"verifier_key": vkey}), || vkey.clone());
        }
        LedgerCommand::Checkpoint => {
            let cp = checkpoint(&mut store, key_path)?;
            print(json, json!({"size": cp.size, "root": b64(&cp.root), "note": cp.note}), || cp.note.clone());
        }
        LedgerCommand::Verify { vkey } => {
            let key = docket::keys::verifier(vkey.as_deref(), key_path)?;
            let total = store.ledger_head()?.0;
            let b = bar(total, "verify", json);
            let started = Instant::now();
            let r = store.verify_ledger(&key, &mut |n| b.set_position(n))?;
            b.finish_and_clear();
            let secs = started.elapsed().as_secs_f64();
            print(
                json,
                json!({"leaves": r.leaves, "events": r.events, "checkpoints_checked": r.checkpoints_checked,
                       "latest_checkpoint": r.latest_checkpoint, "discrepancies": r.discrepancy_count,
                       "details": r.discrepancies.iter().map(|d| d.what.clone()).collect::<Vec<_>>(), "seconds": secs}),
                || {
                    let mut s = format!(
                        "checked {} leaves ({} events) and {} signed checkpoint{} (latest at size {}) in {secs:.1} s: ",
                        r.leaves,
                        r.events,
                        r.checkpoints_checked,
                        if r.checkpoints_checked == 1 { "" } else { "s" },
                        r.latest_checkpoint.map_or("none".to_owned(), |n| n.to_string())
                    );
                    if r.discrepancy_count == 0 {
                        s.push_str("no discrepancy");
                    } else {
                        let noun = if r.discrepancy_count == 1 { "discrepancy" } else { "discrepancies" };
                        s.push_str(&format!("{} {noun}", r.discrepancy_count));
                        for d in r.discrepancies.iter().take(50) {
                            s.push_str(&format!("\n  {}", d.what));
                        }
                    }
                    s
                },
            );
            if r.discrepancy_count > 0 || r.latest_checkpoint.is_none() && r.leaves > 0 {
                return Ok(ExitCode::FAILURE);
            }
        }
        LedgerCommand::Prove { event_id } => {
            let id = docket_core::EventId::parse(&event_id).with_context(|| format!("event id `{event_id}`"))?;
            let Some(p) = store.prove_event(&id)? else { bail!("no event `{event_id}` in `{db}`") };
            let path: Vec<String> = p.path.iter().map(|h| b64(h)).collect();
            print(
                json,
                json!({"event_id": event_id, "leaf_index": p.leaf_index, "tree_size": p.size,
                       "leaf": b64(&p.leaf), "leaf_hash": b64(&docket_ledger::leaf_hash(&p.leaf)),
                       "path": path, "checkpoint": p.checkpoint.note}),
                || {
                    format!(
                        "event {event_id} is leaf {} of the {}-leaf tree\nleaf hash: {}\naudit path ({} hashes):\n{}\ncheckpoint:\n{}",
                        p.leaf_index,
                        p.size,
                        b64(&docket_ledger::leaf_hash(&p.leaf)),
                        path.len(),
                        path.iter().map(|h| format!("  {h}")).collect::<Vec<_>>().join("\n"),
                        p.checkpoint.note
                    )
                },
            );
        }
        LedgerCommand::Consistency { old_size, new_size } => {
            let (old_root, new_root, proof) = store.consistency(old_size, new_size)?;
            let proof: Vec<String> = proof.iter().map(|h| b64(h)).collect();
            print(
                json,
                json!({"old_size": old_size, "new_size": new_size, "old_root": b64(&old_root),
                       "new_root": b64(&new_root), "proof": proof}),
                || {
                    format!(
                        "old root ({old_size}): {}\nnew root ({new_size}): {}\nproof ({} hashes):\n{}",
                        b64(&old_root),
                        b64(&new_root),
                        proof.len(),
                        proof.iter().map(|h| format!("  {h}")).collect::<Vec<_>>().join("\n")
                    )
                },
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print(json: bool, value: serde_json::Value, text: impl FnOnce() -> String) {
    let out = if json { serde_json::to_string_pretty(&value).unwrap_or_default() } else { text() };
    // A closed pipe (`docket ... | head`) is not an error worth a panic.
    let _ = writeln!(std::io::stdout().lock(), "{out}");
}

#[cfg(feature = "synth")]
fn synthesize(cases: u64, seed: u64, as_of: Date, out: &Path, json: bool) -> Result<synth::SynthTotals> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create `{}`", out.display()))?;
    let create = |name: &str| -> Result<std::io::BufWriter<std::fs::File>> {
        let p = out.join(name);
        let f = std::fs::File::create(&p).with_context(|| format!("cannot create `{}`", p.display()))?;
        Ok(std::io::BufWriter::with_capacity(1 << 20, f))
    };
    let mut persons = create("persons.csv")?;
    let mut events = create("events.jsonl")?;
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let b = bar(cases, "synth", json);
    let cfg = SynthConfig { cases, seed, as_of, threads };
    let totals = synth::generate(cfg, &mut persons, &mut events, &mut |n| b.set_position(n))
        .with_context(|| format!("writing to `{}`", out.display()))?;
    b.finish_and_clear();
    Ok(totals)
}

fn run_import(store: &mut Store, files: &[PathBuf], cfg: &ImportConfig, json: bool) -> Result<ImportReport> {
    let b = byte_bar(json);
    let report = import_files(store, files, cfg, &mut |path, done, size| {
        b.set_length(size);
        b.set_position(done);
        b.set_message(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    })?;
    b.finish_and_clear();
    Ok(report)
}

fn print_import(report: &ImportReport, json: bool) {
    print(json, serde_json::to_value(report).unwrap_or_default(), || {
        let mut s = String::new();
        for f in &report.files {
            s.push_str(&format!(
                "{}: {} rows, {} stored, {} already stored, {} rejected\n",
                f.path.display(),
                f.rows,
                f.stored,
                f.duplicates,
                f.rejected
            ));
        }
        let rows: u64 = report.files.iter().map(|f| f.rows).sum();
        s.push_str(&format!(
            "imported in {:.1} s ({:.0} rows/s)",
            report.seconds,
            rows as f64 / report.seconds.max(1e-9)
        ));
        if let Some(path) = &report.rejects_file {
            s.push_str(&format!("\n{} rows rejected; all are listed in {}", report.rejected(), path.display()));
            for r in report.first_rejects.iter().take(10) {
                s.push_str(&format!("\n  {}:{}: field `{}`: {}", r.file, r.line, r.field, r.reason));
            }
        }
        s
    });
}

/// Who reads and why; refuses a read without a purpose from the list or without an actor.
fn read_context(
    actor: Option<&str>,
    purpose: Option<&str>,
    what: &str,
) -> Result<(docket_core::ActorId, docket_core::AccessPurpose)> {
    let Some(purpose) = purpose else {
        bail!(
            "reading {what} needs a stated purpose: `--purpose` one of {}",
            docket_core::AccessPurpose::ALL.map(|p| p.name()).join(", ")
        );
    };
    let purpose = docket_core::AccessPurpose::parse(purpose)?;
    Ok((acting(actor, &format!("reading {what}"))?, purpose))
}

/// Who acts: `--actor`/`DOCKET_ACTOR`, else the `USER` environment variable; refused if neither.
fn acting(actor: Option<&str>, what: &str) -> Result<docket_core::ActorId> {
    let Some(actor) = actor.map(str::to_owned).or_else(|| std::env::var("USER").ok()) else {
        bail!("{what} needs to know who acts: `--actor NAME` or `DOCKET_ACTOR`");
    };
    docket_core::ActorId::parse(&actor).with_context(|| "`--actor`".to_owned())
}

/// Records a read of a case before it happens.
fn log_read(store: &mut Store, actor: Option<&str>, purpose: Option<&str>, case: &CaseId) -> Result<()> {
    let (actor, purpose) = read_context(actor, purpose, &format!("case `{case}`"))?;
    store.record_access(&actor, purpose, docket_store::AccessedRecord::Case(case), now())?;
    Ok(())
}

/// What `docket disclose` was asked to disclose, and to whom.
struct Disclosure {
    recipient: String,
    address: String,
    purpose: String,
    nature: String,
    law_enforcement: bool,
    out: PathBuf,
}

/// Writes the disclosure packet (the person's cases: timeline, legal state, deadlines) and
/// records the disclosure, with the packet's SHA-256, as a ledger leaf.
fn disclose(db: &str, actor: Option<&str>, person_id: &str, d: Disclosure, json: bool) -> Result<()> {
    use sha2::Digest as _;
    let mut store = open_store(db)?;
    let id = docket_core::PersonId::parse(person_id).with_context(|| format!("person id `{person_id}`"))?;
    let Some(person) = store.person(&id)? else { bail!("no person `{person_id}` in `{db}`") };
    for (field, value) in [("--recipient", &d.recipient), ("--address", &d.address), ("--purpose", &d.purpose)] {
        if value.trim().is_empty() {
            bail!("`{field}` must not be empty: 5 U.S.C. 552a(c) requires it in the accounting");
        }
    }
    let actor = acting(actor, "a disclosure")?;
    let t = now();
    let mut cases = Vec::new();
    for case in store.cases_of_person(&id)? {
        let events = store.events(&case)?;
        let Some(summary) = docket_core::CaseState::from_events(&events).summary() else { continue };
        cases.push(json!({
            "state": docket::show::case_json(&summary, Some(&person), t),
            "timeline": docket::show::timeline_json(&events),
        }));
    }
    let packet = json!({
        "disclosed_at": t.to_string(),
        "recipient": {"name": d.recipient, "address": d.address},
        "purpose": d.purpose,
        "nature": d.nature,
        "law_enforcement_b7": d.law_enforcement,
        "person": serde_json::to_value(docket_store::wire::PersonRow::from_person(&person))?,
        "cases": cases,
    });
    let bytes = serde_json::to_vec_pretty(&packet)?;
    let sha = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let row = docket_store::ledger::DisclosureRow {
        person_id: id.to_string(),
        disclosed_at: t.to_string(),
        recipient_name: d.recipient.clone(),
        recipient_address: d.address.clone(),
        purpose: d.purpose.clone(),
        nature: d.nature.clone(),
        law_enforcement: d.law_enforcement,
        recorded_by: actor.to_string(),
        packet_sha256: sha.clone(),
    };
    // The disclosure is recorded before the packet leaves: no packet without its accounting.
    let n = store.record_disclosure(&row)?;
    std::fs::write(&d.out, &bytes)
        .with_context(|| format!("cannot write the disclosure packet `{}`", d.out.display()))?;
    print(json, json!({"disclosure": n, "packet": d.out, "packet_sha256": sha, "cases": cases.len()}), || {
        format!(
            "disclosure #{n} of {id} to {} recorded; packet with {} case(s) written to {} (sha256 {sha})",
            d.recipient,
            cases.len(),
            d.out.display()
        )
    });
    Ok(())
}

fn case_command(db: &str, actor: Option<&str>, command: CaseCommand, json: bool) -> Result<()> {
    let mut store = open_store(db)?;
    match command {
        CaseCommand::Show { case_id, as_of, purpose } => {
            let t = parse_instant(as_of.as_deref())?;
            let id = CaseId::parse(&case_id).with_context(|| format!("case id `{case_id}`"))?;
            if store.summary(&id)?.is_none() {
                bail!("no case `{case_id}` in `{db}`");
            }
            log_read(&mut store, actor, purpose.as_deref(), &id)?;
            let events = store.events(&id)?;
            let state = docket_core::CaseState::from_events(&events);
            let Some(summary) = state.summary() else { bail!("no case `{case_id}` in `{db}`") };
            let person = match &summary.person_id {
                Some(p) => store.person(p)?,
                None => None,
            };
            // The case view shows the person's identity, so it is a read of the person's record
            // too: their accounting of accesses must list it.
            if let Some(p) = &person {
                let (actor, purpose) = read_context(actor, purpose.as_deref(), &format!("case `{id}`"))?;
                store.record_access(&actor, purpose, docket_store::AccessedRecord::Person(&p.id), now())?;
            }
            print(json, docket::show::case_json(&summary, person.as_ref(), t), || {
                docket::show::case_text(&summary, &state, &events, person.as_ref(), t)
            });
        }
        CaseCommand::Timeline { case_id, purpose } => {
            let id = CaseId::parse(&case_id).with_context(|| format!("case id `{case_id}`"))?;
            if store.summary(&id)?.is_none() {
                bail!("no case `{case_id}` in `{db}`");
            }
            log_read(&mut store, actor, purpose.as_deref(), &id)?;
            let events = store.events(&id)?;
            if events.is_empty() {
                bail!("no case `{case_id}` in `{db}`");
            }
            print(json, docket::show::timeline_json(&events), || docket::show::timeline_text(&events));
        }
    }
    Ok(())
}

fn docket_report(store: &mut Store, t: Timestamp, horizon: i32) -> Result<DocketReport> {
    let mut report = DocketReport::new(t, horizon);
    store.scan_summaries(&mut |s| report.add(&s))?;
    Ok(report)
}

fn report_json(r: &DocketReport) -> serde_json::Value {
    json!({
        "as_of": r.as_of.to_string(),
        "horizon_days": r.horizon_days,
        "cases": r.cases,
        "open_cases": r.open_cases(),
        "by_stage": r.by_stage.iter().map(|(s, n)| (s.name().to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
        "detained": r.detained,
        "protected_cases": r.protected_cases,
        "protections": r.protected,
        "pending_relief": r.pending_relief.iter().map(|(k, n)| (k.name().to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
        "citizenship_claims_pending": r.citizenship_claims_pending,
        "deadlines_due": r.deadlines_due.iter().map(|(k, n)| (k.name().to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
        "custody_reviews_due": r.custody_reviews_due,
        "custody_reviews_past_due": r.custody_reviews_past_due,
        "final_orders_with_travel_document_unprotected": r.final_orders_unprotected,
        "cases_with_anomalies": r.with_anomalies,
    })
}

fn report_text(r: &DocketReport) -> String {
    let pct = |n: u64| if r.cases == 0 { 0.0 } else { 100.0 * n as f64 / r.cases as f64 };
    let mut s = format!("Docket as of {}: {} cases, {} open\n\nCases by stage\n", r.as_of, r.cases, r.open_cases());
    for stage in Stage::ALL {
        let n = r.by_stage.get(&stage).copied().unwrap_or(0);
        s.push_str(&format!("  {:<28} {:>9}  {:>5.1}%\n", stage.name(), n, pct(n)));
    }
    s.push_str(&format!("\nDetained (open cases)          {:>9}\n", r.detained));
    s.push_str(&format!("Protected now (open cases)     {:>9}\n", r.protected_cases));
    for (k, n) in &r.protected {
        s.push_str(&format!("  {k:<28} {n:>9}\n"));
    }
    s.push_str(&format!("Citizenship claims pending     {:>9}\n", r.citizenship_claims_pending));
    s.push_str("Relief applications pending\n");
    for (k, n) in &r.pending_relief {
        s.push_str(&format!("  {:<28} {n:>9}\n", k.name()));
    }
    s.push_str(&format!("\nDeadlines in the next {} days\n", r.horizon_days));
    if r.deadlines_due.is_empty() {
        s.push_str("  none\n");
    }
    for (rule, n) in &r.deadlines_due {
        s.push_str(&format!("  {:<28} {n:>9}  ({})\n", rule.name(), rule.citation()));
    }
    s.push_str(&format!(
        "\nPost-order custody reviews (detained)\n  due in the next {} days       {:>9}\n  date passed, still detained   {:>9}\n",
        r.horizon_days, r.custody_reviews_due, r.custody_reviews_past_due
    ));
    s.push_str(&format!(
        "\nFinal orders with a travel document and no protection in force: {}\n",
        r.final_orders_unprotected
    ));
    if r.with_anomalies > 0 {
        s.push_str(&format!("Cases with anomalous histories: {}\n", r.with_anomalies));
    }
    s
}

#[cfg(feature = "synth")]
fn demo(cases: u64, seed: u64, dir: &Path, json: bool) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let db_path = dir.join("docket.db");
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", db_path.display()));
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("cannot replace `{}`", p.display()))?;
        }
    }
    let url = format!("sqlite://{}", db_path.display());
    let t = now();
    let started = Instant::now();
    let totals = synthesize(cases, seed, t.local_date(), dir, json)?;
    let synth_secs = started.elapsed().as_secs_f64();
    let mut store = Store::open(&url)?;
    store.migrate()?;
    let key_path = docket::keys::default_key_path(&url);
    docket::keys::ensure_key(&key_path)?;
    let cfg = ImportConfig {
        batch_size: 20_000,
        rejects: dir.join("rejects.jsonl"),
        today: t.local_date(),
        commit_log: None,
    };
    let report = run_import(&mut store, &[dir.join("persons.csv"), dir.join("events.jsonl")], &cfg, json)?;
    let cp = checkpoint(&mut store, &key_path)?;
    let docket = docket_report(&mut store, t, 30)?;
    if json {
        print(
            true,
            json!({"database": url, "synth": {"cases": totals.cases, "events": totals.events, "seconds": synth_secs},
                   "import": report, "report": report_json(&docket)}),
            String::new,
        );
    } else {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "Synthesized {} cases ({} events) in {synth_secs:.1} s; imported {} persons and {} events into {} in {:.1} s; {} rows rejected.\n",
            totals.cases,
            totals.events,
            totals.persons,
            report.events_stored(),
            db_path.display(),
            report.seconds,
            report.rejected()
        );
        let _ = writeln!(out, "{}", report_text(&docket));
        let _ = writeln!(
            out,
            "Audit ledger: {} leaves under a signed checkpoint; `docket --db {url} ledger verify` rechecks it.\n",
            cp.size
        );
        let _ = writeln!(
            out,
            "Look at a case:  docket --db {url} case show {} --purpose case_work\n                 docket --db {url} case timeline {} --purpose case_work",
            synth::case_id(0),
            synth::case_id(0)
        );
    }
    if report.rejected() > 0 {
        bail!("{} synthetic rows were rejected; see {}", report.rejected(), dir.join("rejects.jsonl").display());
    }
    Ok(())
}
