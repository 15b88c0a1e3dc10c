//! `docket`: the command line. Parses arguments, calls the libraries, renders the results.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use docket::exit;
use docket_app::LeafRef;
use docket_app::checkpoints::CheckpointDir;
use docket_app::{App, AppConfig, AppError, ImportConfig, ImportReport, ImportSink, ImportSource, ReadContext, Reject};
use docket_core::Date;
use docket_core::{EventId, Timestamp};
use docket_store::StoreError;
use docket_store::wire::owner_only;
#[cfg(feature = "synth")]
use docket_synth::linkage::{LinkDataKind, LinkDataOptions};
#[cfg(feature = "synth")]
use docket_synth::{self as synth, SynthConfig};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
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
    /// Who is acting, for the audit ledger (default: the `USER` environment variable).
    #[arg(long, global = true, env = "DOCKET_ACTOR")]
    actor: Option<String>,
    /// The ledger's signing key file (default: beside a SQLite database, else
    /// `docket-ledger.key`).
    #[arg(long, global = true, env = "DOCKET_LEDGER_KEY")]
    ledger_key: Option<PathBuf>,
    /// Where every signed checkpoint is also kept, outside the database, one file each
    /// (default: beside the key file, `KEY` with the extension `checkpoints`).
    #[arg(long, global = true, env = "DOCKET_CHECKPOINT_DIR")]
    checkpoint_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database or migrate it to this version's schema.
    Init,
    /// The schema's migration steps in the database (`init` applies them).
    Migrate {
        #[command(subcommand)]
        command: MigrateCommand,
    },
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
        /// Also write a day of departures: this many departure records departing the day
        /// before the as-of date, 2% of them the docket's persons as a manifest records them
        /// (DIR/departures.jsonl; who each traveller is in DIR/departures-truth.csv). See
        /// docs/linkage-data.md.
        #[arg(long, default_value_t = 0)]
        departures: u64,
        /// The manifest variant the departures are made under (as `link-data --kind manifest
        /// --variant`: near misses and name recording other than the defaults); the persons are
        /// the same whatever the variant. `households` does not apply (manifests have no
        /// address).
        #[arg(long, value_enum, default_value = "default")]
        departures_variant: VariantArg,
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
        /// The share of B rows that are A persons [default: 0.02 for manifest; 1 for febrl, every
        /// B row a duplicate, or 0.5 under a variant with near misses].
        #[arg(long)]
        match_share: Option<f64>,
        /// `febrl` only: one table of originals and duplicates (DIR/records.csv) instead of two.
        #[arg(long)]
        dedupe: bool,
        /// A named variant of the data: near misses and name recording other than the kind's
        /// defaults (docs/linkage-data.md, "Variants"); `mixed` is held out from tuning. The
        /// share options below override its rates.
        #[arg(long, value_enum, default_value = "default")]
        variant: VariantArg,
        /// Share of non-matching B rows that are relatives of an A person (febrl: same surname
        /// and address; manifest: siblings).
        #[arg(long, value_name = "X")]
        relatives_share: Option<f64>,
        /// Share of non-matching B rows that are twins of an A person.
        #[arg(long, value_name = "X")]
        twins_share: Option<f64>,
        /// Share of non-matching B rows that are namesakes of an A person.
        #[arg(long, value_name = "X")]
        namesakes_share: Option<f64>,
        /// `febrl` only: share of non-matching B rows living at an A person's address.
        #[arg(long, value_name = "X")]
        households_share: Option<f64>,
        /// `manifest` only: share of travellers on another nationality's passport [default: 0.03].
        #[arg(long, value_name = "X")]
        dual_nationals_share: Option<f64>,
        /// Share of B rows whose name fields are shifted (a name in the other field).
        #[arg(long, value_name = "X")]
        shifted_names_share: Option<f64>,
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
    /// Write the whole docket as DIR/persons.csv and DIR/events.jsonl, the files `import`
    /// reads: the way to move a docket to another database (`init` and `import` it there).
    /// A read of every record, with a purpose; files are new and readable by their owner only.
    Export {
        /// The directory to write to (created if missing; the files must not exist).
        #[arg(long)]
        out: PathBuf,
        /// Why the docket is read (see `case show --help`). Required; recorded in the ledger.
        #[arg(long, value_parser = purposes())]
        purpose: Option<String>,
    },
    /// Copy the whole database, row for row, into a new one (a SQLite file, or an empty
    /// PostgreSQL database): persons with every version of their identities, events, and the
    /// ledger as it stands with its reads, disclosures, checkpoints and keys. The copy
    /// verifies with the source's key and checkpoints: the way to move a docket between
    /// SQLite and PostgreSQL and keep its audit trail. A read of every record, with a purpose.
    Copy {
        /// The database to copy into (`sqlite://PATH` or `postgres://...`); it must hold nothing.
        #[arg(long, value_name = "URL")]
        to: String,
        /// Why the docket is read (see `case show --help`). Required; recorded in the ledger.
        #[arg(long, value_parser = purposes())]
        purpose: Option<String>,
    },
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
        /// The purpose of the disclosure, as the accounting records it under 5 U.S.C.
        /// 552a(c)(1): free text naming the routine use, statute or order it rests on (“routine
        /// use 7: counsel of record”, “court order 24-cv-118”). It is not the reason a record is
        /// read (`--purpose` of the reading commands, a fixed list), because the Act asks the
        /// purpose of each disclosure to be stated as it was, not chosen from a list.
        #[arg(long)]
        purpose: String,
        /// The nature of what is disclosed.
        #[arg(long, default_value = "case timelines, current legal state and deadlines")]
        nature: String,
        /// A disclosure to a law-enforcement agency under 5 U.S.C. 552a(b)(7).
        #[arg(long)]
        law_enforcement: bool,
        /// Where to write the disclosure packet (JSON): a new file, never one already there.
        #[arg(long)]
        out: PathBuf,
    },
    /// The accounting of disclosures of one person's record.
    Disclosures {
        /// The person id.
        person_id: String,
        /// Why the accounting is read (see `case show --help`); recorded in the ledger.
        #[arg(long, value_parser = purposes())]
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
    /// A witness of the ledger: keeps the largest checkpoint it has seen and cosigns a newer
    /// one only when the ledger proves it consistent (C2SP tlog-cosignature). Run it apart
    /// from the database's operator and the ledger key's holder, with its own directory.
    Witness {
        #[command(subcommand)]
        command: WitnessCommand,
    },
    /// Every action's gate on every case, counted: per action, how many cases allow and deny
    /// it, and by which rules (statutory, and of the agency gate policy in force); and the
    /// cases in each tier of the priority policy in force. One read of the docket with a
    /// purpose, in the ledger.
    Evaluate {
        /// As of this instant (RFC 3339) instead of now.
        #[arg(long)]
        as_of: Option<String>,
        /// Why the docket is read (see `case show --help`). Required; recorded in the ledger.
        #[arg(long, value_parser = purposes())]
        purpose: Option<String>,
    },
    /// A worklist: `deadlines` (appeal windows, voluntary departure, custody reviews and
    /// protections ending within `--within` days), `removal-ready` (final order, designated
    /// country, travel document valid for it, every bar lifted), `blocked` (every other open case, with what blocks its
    /// removal), `priority` (open cases by tier under the priority policy in force, with
    /// reasons) or `review` (those it sends to a supervisor). One read of the docket with a
    /// purpose, in the ledger.
    Worklist {
        /// Which worklist.
        #[arg(value_enum)]
        kind: WorklistArg,
        /// Why the docket is read (see `case show --help`). Required; recorded in the ledger.
        #[arg(long, value_parser = purposes())]
        purpose: Option<String>,
        /// `deadlines`: how many days ahead.
        #[arg(long, value_name = "DAYS", default_value_t = 30, value_parser = clap::value_parser!(i32).range(0..=3650))]
        within: i32,
        /// As of this instant (RFC 3339) instead of now.
        #[arg(long)]
        as_of: Option<String>,
        /// At most this many cases (how many are on the list is said too).
        #[arg(long, default_value_t = 1000)]
        limit: usize,
    },
    /// Agency policies (Cedar files over the schema of adjudicated facts; docs/policies.md):
    /// check one, run policy tests, compare two over the docket, adopt one as an act of record.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// The departure feed (docs/departures.md): fit the linkage model on the docket and a
    /// sample of departures, ingest departure records (CSV or JSON lines) and decide each
    /// three ways, purge what is past its retention window, report the counts.
    Departures {
        #[command(subcommand)]
        command: DeparturesCommand,
    },
    /// The departure review queue: doubtful matches, their candidates side by side; accepting
    /// or rejecting one is an act of record with the reviewer's name and reason.
    Review {
        #[command(subcommand)]
        command: ReviewCommand,
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
        /// The settings: shipped ones by name — `persons` (given and family names, date of
        /// birth, sex, nationality, document number; the columns `docket link-data --kind
        /// manifest` writes), `febrl-link` or `febrl-dedupe` (FEBRL's columns) — or a settings
        /// file (TOML). A value that names an existing file, contains a `/` or ends in `.toml`
        /// is a file's path; any other must be a shipped name.
        #[arg(long, value_name = "NAME|FILE")]
        settings: PathBuf,
        /// Table A and, when the settings say `mode = "link"`, table B.
        #[arg(required = true, num_args = 1..=2)]
        files: Vec<PathBuf>,
        /// Where to write the accepted pairs (CSV).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Where to write the pairs for review (CSV, the columns of the accepted pairs'): below
        /// the threshold, at or above `--review-floor`, each record in one pair at most.
        #[arg(long, value_name = "FILE")]
        review_out: Option<PathBuf>,
        /// The match probability from which pairs below the threshold are for review, between 0
        /// and 1 [default: 0.1].
        #[arg(long, value_name = "P")]
        review_floor: Option<f64>,
        /// Save the fitted model here (JSON).
        #[arg(long)]
        model_out: Option<PathBuf>,
        /// Use this saved model instead of fitting one.
        #[arg(long, conflicts_with = "model_out")]
        model: Option<PathBuf>,
        /// True pairs (CSV with a header, ids of A then B): print precision, recall, F1 (at the
        /// threshold and the best one), blocking recall, calibration and the three-way figures.
        #[arg(long)]
        truth: Option<PathBuf>,
        /// Print the weights behind one pair's score.
        #[arg(long, num_args = 2, value_names = ["ID_A", "ID_B"])]
        explain: Option<Vec<String>>,
    },
    /// Print a shell completion script, to load in the shell or install as its completions
    /// for `docket` (`docket completions bash > /etc/bash_completion.d/docket`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `docket man | man -l -`, or install it as docket.1.
    /// `docket man ledger verify` prints the page of `docket ledger verify`.
    Man {
        /// The command whose page to print; none for the page of `docket` itself.
        command: Vec<String>,
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

/// The worklists of `worklist`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum WorklistArg {
    /// Deadlines and protections ending soon.
    Deadlines,
    /// Cases ready for removal.
    RemovalReady,
    /// Open cases whose removal is blocked, with the blockers.
    Blocked,
    /// Open cases in a tier of the priority policy in force, the highest first, with reasons.
    Priority,
    /// Open cases the priority policy in force sends to supervisor review.
    Review,
}

impl From<WorklistArg> for docket_app::gates::WorklistKind {
    fn from(k: WorklistArg) -> Self {
        match k {
            WorklistArg::Deadlines => docket_app::gates::WorklistKind::Deadlines,
            WorklistArg::RemovalReady => docket_app::gates::WorklistKind::RemovalReady,
            WorklistArg::Blocked => docket_app::gates::WorklistKind::Blocked,
            WorklistArg::Priority => docket_app::gates::WorklistKind::Priority,
            WorklistArg::Review => docket_app::gates::WorklistKind::Review,
        }
    }
}

#[derive(Subcommand)]
enum DeparturesCommand {
    /// Fit the departure model (the shipped `persons` settings) on the persons of open cases
    /// against a sample of departure records, and put it in force as an act of record.
    Fit {
        /// Departure records (`.csv` or `.jsonl`).
        file: PathBuf,
    },
    /// Decide each departure record of FILE against the persons of open cases under the model
    /// in force: a clear match records `departure_verified` with its evidence on each open case
    /// of the person, a doubtful one goes to review, the rest are kept only for the retention
    /// window. A record applied before changes nothing; a bad line is reported and skipped.
    Ingest {
        /// Departure records (`.csv` or `.jsonl`).
        file: PathBuf,
        /// Clear from this match probability.
        #[arg(long, default_value_t = 0.999)]
        accept_from: f64,
        /// Review from this match probability.
        #[arg(long, default_value_t = 0.1)]
        review_floor: f64,
        /// Hours an unmatched record is kept.
        #[arg(long, default_value_t = 72)]
        retention_hours: u32,
        /// For measuring candidate recall: write to this file, for every record, the persons
        /// blocking proposed before scoring (one line per record, fields separated by tabs:
        /// `source/record_id`, the number of its blocks skipped for their size, the number
        /// held back for the query's budget, the person ids separated by spaces). Decisions
        /// are not affected.
        #[arg(long, value_name = "FILE")]
        proposals_out: Option<PathBuf>,
        /// For measuring recall: write to this file the ids of the persons indexed (those with
        /// an open case), one a line.
        #[arg(long, value_name = "FILE")]
        indexed_out: Option<PathBuf>,
    },
    /// Decide departure records as they arrive on NATS JetStream (a durable pull consumer of
    /// the stream capturing `departures.>`), until SIGINT or SIGTERM. Each record is acked only
    /// after its decision is committed; one that does not parse goes to the dead-letter subject
    /// with its reason. The index over the persons of open cases is rebuilt every
    /// `--refresh-seconds` when the docket changed, without a restart.
    Consume {
        /// The NATS server.
        #[arg(long, env = "DOCKET_NATS_URL", default_value = "nats://127.0.0.1:4222")]
        nats: String,
        /// The JetStream stream (created with file storage if missing).
        #[arg(long, default_value = "DEPARTURES")]
        stream: String,
        /// The subject the stream captures, when it is created.
        #[arg(long, default_value = "departures.>")]
        subject: String,
        /// The durable consumer's name: a restarted consumer resumes where it left off.
        #[arg(long, default_value = "docket")]
        consumer: String,
        /// The stream keeping dead letters.
        #[arg(long, default_value = "DEPARTURES_DEAD")]
        dead_stream: String,
        /// The subject dead letters are published to.
        #[arg(long, default_value = "docket.dead.departures")]
        dead_subject: String,
        /// Most records decided in one transaction.
        #[arg(long, default_value_t = 256)]
        batch: usize,
        /// Seconds between checks of the docket for a rebuild of the index.
        #[arg(long, default_value_t = 30)]
        refresh_seconds: u64,
        /// Clear from this match probability.
        #[arg(long, default_value_t = 0.999)]
        accept_from: f64,
        /// Review from this match probability.
        #[arg(long, default_value_t = 0.1)]
        review_floor: f64,
        /// Hours an unmatched record is kept.
        #[arg(long, default_value_t = 72)]
        retention_hours: u32,
    },
    /// Delete the departure records past their retention window, leaving counts; the purge is
    /// recorded in the ledger (how many, the window, a hash of what was removed).
    Purge {
        /// The window the records were kept for, as recorded with the purge.
        #[arg(long, default_value_t = 72)]
        retention_hours: u32,
    },
    /// Departure records received, verified, in review, unmatched and purged, by day of
    /// departure and port; cases with voluntary departure departed on time, late or not
    /// recorded; cases with a final order departed or with no departure recorded (suspected
    /// still in the country), beside the linkage's estimated recall.
    Report {
        /// First day (YYYY-MM-DD): of departure for the feed's counts, of the voluntary-departure
        /// deadline or of finality for the case figures.
        #[arg(long)]
        from: Option<String>,
        /// Last day (YYYY-MM-DD), as `--from`.
        #[arg(long)]
        to: Option<String>,
    },
    /// Withdraw the verified departure standing on a case, found wrong: a
    /// `departure_verification_withdrawn` event with the reason, by the actor (`--actor` or
    /// `DOCKET_ACTOR`). Nothing is deleted; the case stands as if the departure had not been
    /// verified.
    Withdraw {
        /// The case.
        case: String,
        /// Why the verification was wrong.
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum ReviewCommand {
    /// The open items, oldest first (a recorded read with a purpose).
    List {
        /// Why the queue is read.
        #[arg(long, value_parser = purposes())]
        purpose: Option<String>,
    },
    /// One item with its record and candidates side by side (a recorded read).
    Show {
        /// The item's number.
        id: i64,
        /// Why it is read.
        #[arg(long, value_parser = purposes())]
        purpose: Option<String>,
    },
    /// Accept an item: `departure_verified` (evidence `reviewed`, with the reason) on each open
    /// case of the candidate.
    Accept {
        /// The item's number.
        id: i64,
        /// The reviewer's reason.
        #[arg(long)]
        reason: String,
        /// The candidate (a person id); the best one when not given.
        #[arg(long)]
        person: Option<String>,
    },
    /// Reject an item: the record stays unmatched, kept only for the retention window.
    Reject {
        /// The item's number.
        id: i64,
        /// The reviewer's reason.
        #[arg(long)]
        reason: String,
        /// Hours the record is then kept.
        #[arg(long, default_value_t = 72)]
        retention_hours: u32,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Adopt a policy file: its text, SHA-256, who adopts it and from when it is in force are
    /// recorded as a ledger leaf (`ledger prove policy/N`). The file's header names it:
    /// `// policy: ID`, `// version: V` and `// kind: gate|priority` comment lines before its
    /// first statement.
    Adopt {
        /// The policy file.
        file: PathBuf,
        /// The instant from which it is in force (RFC 3339).
        #[arg(long)]
        effective: String,
    },
    /// Validate a policy file against the schema of adjudicated facts: its rules listed, or
    /// the first error with its line and column (exit status 1).
    Check {
        /// The policy file.
        file: PathBuf,
    },
    /// Run the policy tests of a directory: each `*.test.toml` gives cases (facts, the
    /// expected tier or decision, and reasons) for a `*.cedar` file beside it. Exit status 1
    /// when a case fails.
    Test {
        /// The directory.
        dir: PathBuf,
    },
    /// What adopting NEW in place of OLD would change on the docket: how many cases change
    /// tier, supervisor review or an action's agency gate, by which rule, with examples. One
    /// read of the docket with a purpose, in the ledger.
    Diff {
        /// The policy now (a file).
        old: PathBuf,
        /// The policy proposed (a file of the same kind).
        new: PathBuf,
        /// As of this instant (RFC 3339) instead of now.
        #[arg(long)]
        as_of: Option<String>,
        /// Why the docket is read (see `case show --help`). Required; recorded in the ledger.
        #[arg(long, value_parser = purposes())]
        purpose: Option<String>,
        /// Examples shown per kind of move in the text (the JSON has all it keeps).
        #[arg(long, default_value_t = 3)]
        examples: usize,
    },
}

/// The kinds of `link-data`.
#[cfg(feature = "synth")]
#[derive(Clone, Copy, clap::ValueEnum)]
enum LinkKind {
    Febrl,
    Manifest,
}

/// The variants of `link-data` (`docket_synth::linkage::Variant`).
#[cfg(feature = "synth")]
#[derive(Clone, Copy, clap::ValueEnum)]
enum VariantArg {
    /// The kind's defaults.
    Default,
    /// Relatives of A persons among the non-matching B rows.
    Relatives,
    /// Twins of A persons.
    Twins,
    /// Namesakes of A persons.
    Namesakes,
    /// febrl: members of A persons' households.
    Households,
    /// manifest: dual nationals on their other passport.
    DualNationals,
    /// Name fields shifted.
    ShiftedNames,
    /// Every near miss at once, at lower rates: held out from tuning.
    Mixed,
}

#[cfg(feature = "synth")]
impl VariantArg {
    fn variant(self) -> docket_synth::linkage::Variant {
        use docket_synth::linkage::Variant;
        match self {
            VariantArg::Default => Variant::Default,
            VariantArg::Relatives => Variant::Relatives,
            VariantArg::Twins => Variant::Twins,
            VariantArg::Namesakes => Variant::Namesakes,
            VariantArg::Households => Variant::Households,
            VariantArg::DualNationals => Variant::DualNationals,
            VariantArg::ShiftedNames => Variant::ShiftedNames,
            VariantArg::Mixed => Variant::Mixed,
        }
    }
}

#[derive(Subcommand)]
enum MigrateCommand {
    /// Each step: applied (with this program's checksum), pending, changed since it was
    /// applied (exit status 1: the database is refused), or applied before checksums were
    /// recorded (unknown).
    Status,
}

#[derive(Subcommand)]
enum WitnessCommand {
    /// Make a witness: a directory with a new cosigning key (0600). Prints its verifier key.
    Init {
        /// The witness's directory.
        #[arg(long)]
        dir: PathBuf,
        /// The witness's name, as its cosignatures carry it (a schema-less URL by C2SP's
        /// recommendation, such as `witness.example.gov/docket`).
        #[arg(long)]
        name: String,
    },
    /// Print the witness's verifier key, which verifiers give to `ledger verify --witness`.
    Key {
        /// The witness's directory.
        #[arg(long)]
        dir: PathBuf,
    },
    /// Cosign a checkpoint of the ledger in `--db`: the database's newest, or the one in
    /// CHECKPOINT (a file). Refused unless it is signed by the ledger's key and the ledger
    /// proves it consistent with the largest checkpoint the witness holds.
    Cosign {
        /// The witness's directory.
        #[arg(long)]
        dir: PathBuf,
        /// The ledger's verifier key the witness trusts (`ledger key` prints it).
        #[arg(long, value_name = "VKEY")]
        log_key: String,
        /// A checkpoint file to cosign (default: the database's newest checkpoint).
        checkpoint: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Recompute the tree from the stored leaves and events; check every signed checkpoint,
    /// those the database holds and those held outside it.
    Verify {
        /// The verifier key text (`NAME+ID+KEY`); default: derived from the key file.
        #[arg(long)]
        vkey: Option<String>,
        /// Checkpoints the verifier holds outside the database: a checkpoint file or a
        /// directory of them (default: the checkpoint directory, if it exists). The database
        /// must reach each one's size with its root and still store it; a rollback or a
        /// rewrite with its checkpoints deleted fails.
        #[arg(long, value_name = "CHECKPOINT")]
        trusted: Option<PathBuf>,
        /// A witness whose cosignature the checkpoints held outside the database must carry
        /// (its verifier key, `NAME+ID+KEY`, as `witness key` prints it); repeatable. Give its
        /// cosigned checkpoints with `--trusted WITNESS_DIR/cosigned`.
        #[arg(long, value_name = "VKEY")]
        witness: Vec<String>,
    },
    /// Sign and store a checkpoint of the ledger as it is now, and print it.
    Checkpoint,
    /// List the checkpoints the database stores: tree size, root, signing key.
    Checkpoints,
    /// Replace the signing key: a new key is made, the rotation is signed by the old key and
    /// the new one and recorded in the database, the new key takes the key file's place and
    /// the old one is kept beside it as `KEY.retired-NAME`. Earlier checkpoints still verify
    /// with the old key, later ones with the new.
    RotateKey,
    /// An inclusion proof of a leaf against the latest checkpoint: an event, a read, a
    /// disclosure, a version of a person's identity or an adopted policy. Every leaf's bytes
    /// but a policy's hold a person's data, so they are shown only with `--purpose` (the read
    /// is recorded); without it, the proof carries the leaf's hash alone.
    Prove {
        /// An event id; `read/N` (a read of a record); `disclosure/N`;
        /// `person/PERSON_ID/VERSION` (a version of a person's identity); or `policy/N` (an
        /// adopted policy).
        leaf: String,
        /// Why the leaf's bytes are read (see `case show --help`); without it they are not shown.
        #[arg(long, value_parser = purposes())]
        purpose: Option<String>,
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
        #[arg(long, value_parser = purposes())]
        purpose: Option<String>,
    },
    /// Correct a person's recorded identity (5 U.S.C. 552a(d) amendment): the corrected
    /// identity is stored as a new version with the actor and the reason, and the earlier
    /// versions are kept. An import never changes a stored identity.
    Correct {
        /// The person id.
        person_id: String,
        /// A field and its corrected value, as in the persons CSV (`given_names=Ana María`,
        /// `date_of_birth=1990-01-02`; an empty value clears an optional field). Repeat for
        /// several fields.
        #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
        set: Vec<String>,
        /// Why the record is corrected (the request or document it rests on).
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum CaseCommand {
    /// The cases at a stage, or with a deadline falling due soon: case id, stage, version and
    /// next deadline (no person is named). A read with a purpose, recorded in the ledger.
    List {
        /// Only cases at this stage (as of `--as-of`).
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(docket_core::Stage::ALL.map(|s| s.name())))]
        stage: Option<String>,
        /// Only cases with a deadline falling due within this many days.
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(i32).range(0..=3650))]
        due_within: Option<i32>,
        /// At most this many cases (how many match is said too).
        #[arg(long, default_value_t = 1000)]
        limit: usize,
        /// Why the docket is read (see `case show --help`). Required; recorded in the ledger.
        #[arg(long, value_parser = purposes())]
        purpose: Option<String>,
        /// As of this instant (RFC 3339) instead of now.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Current state: stage, protections in force, deadlines.
    Show {
        /// The case id.
        case_id: String,
        /// Why the record is read: case_work, enforcement_decision, counsel_request,
        /// oversight, privacy_act_request, data_correction or litigation. Required; the read
        /// is recorded in the audit ledger.
        #[arg(long, value_parser = purposes())]
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
        #[arg(long, value_parser = purposes())]
        purpose: Option<String>,
    },
}

fn now() -> Timestamp {
    docket_store::now()
}

fn parse_instant(s: Option<&str>) -> Result<Option<Timestamp>> {
    s.map(|s| Timestamp::parse(s).with_context(|| format!("`--as-of {s}`"))).transpose()
}

/// Adds what the command line's user can do about an error, where there is something.
fn hint(e: AppError, db: &str) -> anyhow::Error {
    let hint = match &e {
        AppError::Store(StoreError::NotInitialized { .. }) => {
            Some(format!("run `docket init` on it (`docket --db {} init`)", docket_app::redact(db)))
        }
        AppError::Store(StoreError::NoDatabase { .. }) => {
            Some(format!("run `docket init` to create one (`docket --db {db} init`)"))
        }
        AppError::Store(StoreError::MigrationChanged { .. } | StoreError::MigrationMissing { .. }) => {
            Some(format!("`docket --db {} migrate status` lists every step", docket_app::redact(db)))
        }
        AppError::PurposeRequired { .. } => Some("give it with `--purpose`".to_owned()),
        AppError::ActorRequired { .. } => Some("give it with `--actor NAME` or `DOCKET_ACTOR`".to_owned()),
        AppError::Key { .. } => Some("run `docket init`, or pass `--ledger-key`".to_owned()),
        _ => None,
    };
    match hint {
        Some(h) => anyhow::Error::new(e).context(h),
        None => anyhow::Error::new(e),
    }
}

fn open_app(db: &str) -> Result<App> {
    App::open(db, AppConfig { max_connections: 2, ..AppConfig::default() })
        .map_err(|e| hint(e, db))
        .with_context(|| format!("database `{}`", docket_app::redact(db)))
}

/// Who acts: `--actor`/`DOCKET_ACTOR`, else the `USER` environment variable.
fn actor_text(actor: Option<&str>) -> Option<String> {
    actor.map(str::to_owned).or_else(|| std::env::var("USER").ok()).filter(|a| !a.trim().is_empty())
}

/// The reasons a person's record may be read (`AccessPurpose`), as `--purpose`'s values.
fn purposes() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(docket_core::AccessPurpose::ALL.map(|p| p.name()))
}

/// Who reads and why; refused without both.
fn read_context(actor: Option<&str>, purpose: Option<&str>, db: &str) -> Result<ReadContext> {
    ReadContext::new(actor_text(actor).as_deref(), purpose).map_err(|e| hint(e, db))
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
    // `--json` anywhere asks for errors in JSON too, usage errors included.
    let json = std::env::args_os().any(|a| a == "--json");
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| meaningless_options(&m).map(|()| m))
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) if json && e.use_stderr() => {
            let message = e.kind().as_str().map_or_else(|| e.to_string(), str::to_owned);
            let detail = e.to_string();
            json_error("usage", &message, &[detail.trim().to_owned()], exit::USAGE);
            return ExitCode::from(exit::USAGE);
        }
        Err(e) => e.exit(),
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) if json => {
            let causes: Vec<String> = e.chain().skip(1).map(|c| c.to_string()).collect();
            json_error("failed", &e.to_string(), &causes, exit::FAILED);
            ExitCode::from(exit::FAILED)
        }
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(exit::FAILED)
        }
    }
}

/// The global options that mean nothing to a command, given to it on the command line: a
/// usage error rather than silently ignored (`demo --db postgres://...` wrote SQLite and
/// exited 0). Values from the environment are not refused: they are meant for every command.
///
/// `--actor` means something only to a command that records an act or a read under a name;
/// `--ledger-key` and `--checkpoint-dir` only to one that signs or verifies checkpoints.
fn meaningless_options(m: &clap::ArgMatches) -> Result<(), clap::Error> {
    let Some((name, sub)) = m.subcommand() else { return Ok(()) };
    const ALL: &[&str] = &["db", "actor", "ledger_key", "checkpoint_dir"];
    const NO_SIGNING: &[&str] = &["ledger_key", "checkpoint_dir"];
    const NO_ACTOR_NO_SIGNING: &[&str] = &["actor", "ledger_key", "checkpoint_dir"];
    let inner = sub.subcommand();
    let ignored: &[&str] = match (name, inner.map(|(n, _)| n)) {
        ("synth" | "link-data" | "link" | "completions" | "man", _) => ALL,
        ("demo", _) => &["db", "ledger_key", "checkpoint_dir"],
        ("init", _) | ("ledger", Some("rotate-key" | "key" | "checkpoint" | "verify")) => &["actor"],
        ("migrate" | "rebuild" | "report", _) | ("ledger", Some("checkpoints" | "consistency")) => NO_ACTOR_NO_SIGNING,
        // A proof records a read only when it carries the leaf, which takes a purpose.
        ("ledger", Some("prove")) => match inner.and_then(|(_, m)| m.get_one::<String>("purpose")) {
            Some(_) => NO_SIGNING,
            None => NO_ACTOR_NO_SIGNING,
        },
        // Checking a policy file and running policy tests read no database.
        ("policy", Some("check" | "test")) => ALL,
        (
            "disclose" | "disclosures" | "case" | "person" | "export" | "copy" | "evaluate" | "worklist" | "policy",
            _,
        ) => NO_SIGNING,
        // A witness has its own key and directory; it reads the ledger to cosign only.
        ("witness", Some("cosign")) => NO_ACTOR_NO_SIGNING,
        ("witness", _) => ALL,
        _ => &[],
    };
    // A worklist's horizon concerns deadlines alone.
    if name == "worklist"
        && sub.value_source("within") == Some(clap::parser::ValueSource::CommandLine)
        && !matches!(sub.get_one::<WorklistArg>("kind"), Some(WorklistArg::Deadlines))
    {
        return Err(Cli::command().error(
            clap::error::ErrorKind::ArgumentConflict,
            "`--within` means nothing to `docket worklist` but for `deadlines`, which it bounds",
        ));
    }
    let command = match inner {
        Some((n, _)) => format!("{name} {n}"),
        None => name.to_owned(),
    };
    for id in ignored {
        if m.value_source(id) == Some(clap::parser::ValueSource::CommandLine) {
            let flag = format!("--{}", id.replace('_', "-"));
            return Err(Cli::command().error(
                clap::error::ErrorKind::ArgumentConflict,
                format!("`{flag}` means nothing to `docket {command}`, which does not use it"),
            ));
        }
    }
    Ok(())
}

/// An error as one JSON object on standard error: `{"error": {"kind", "message", "causes",
/// "exit_status"}}`.
fn json_error(kind: &str, message: &str, causes: &[String], status: u8) {
    let e = json!({"error": {"kind": kind, "message": message, "causes": causes, "exit_status": status}});
    eprintln!("{e}");
}

fn run(cli: Cli) -> Result<ExitCode> {
    let json = cli.json;
    let db = cli.db.clone();
    let key_path = cli.ledger_key.clone().unwrap_or_else(|| docket_app::keys::default_key_path(&db));
    let outside = match &cli.checkpoint_dir {
        Some(dir) => CheckpointDir::new(dir),
        None => CheckpointDir::beside_key(&key_path),
    };
    match cli.command {
        Command::Init => {
            let v = App::init(&db)
                .map_err(|e| hint(e, &db))
                .with_context(|| format!("database `{}`", docket_app::redact(&db)))?;
            if !key_path.exists() {
                // A new key for a ledger with checkpoints would leave every one of them
                // unverifiable: the lost key must be found, not replaced.
                let signed = open_app(&db)?.with_store(|s| s.checkpoints())?;
                if let Some(latest) = signed.last() {
                    bail!(
                        "the ledger of `{}` has {} signed checkpoint(s), the latest at size {} by key `{}`, and the key \
                         file `{}` is missing: a new key would leave them unverifiable, so none is made. Give the \
                         key's file with `--ledger-key`",
                        docket_app::redact(&db),
                        signed.len(),
                        latest.size,
                        signer(&latest.note),
                        key_path.display()
                    );
                }
            }
            let created = docket_app::keys::ensure_key(&key_path).map_err(|e| hint(e, &db))?;
            let key = docket_app::keys::read_key(&key_path).map_err(|e| hint(e, &db))?;
            let vkey = key.verifier_key_text();
            let cp = open_app(&db)?.sign_checkpoint(&key, &outside)?;
            print(
                json,
                &json!({"database": docket_app::redact(&db), "schema_version": v, "ledger_key": key_path, "key_created": created,
                       "verifier_key": vkey, "ledger_size": cp.size}),
                || {
                    format!(
                        "database `{}` is at schema version {v}; ledger of {} leaves\n{} ledger key `{}` (keep it secret)\nverifier key: {vkey}",
                        docket_app::redact(&db),
                        cp.size,
                        if created { "created" } else { "using" },
                        key_path.display()
                    )
                },
            )?;
        }
        Command::Migrate { command: MigrateCommand::Status } => {
            let steps = App::migration_status(&db)
                .map_err(|e| hint(e, &db))
                .with_context(|| format!("database `{}`", docket_app::redact(&db)))?;
            let version = steps.iter().filter(|s| s.applied_at.is_some()).map(|s| s.version).max().unwrap_or(0);
            print(
                json,
                &json!({"database": docket_app::redact(&db), "schema_version": version,
                        "program_schema_version": docket_store::SCHEMA_VERSION, "steps": steps}),
                || docket::show::migrations_text(&docket_app::redact(&db), &steps),
            )?;
            if steps.iter().any(|s| s.state.is_refused()) {
                return Ok(ExitCode::from(exit::FAILED));
            }
        }
        Command::Ledger { command } => {
            return ledger_command(&db, &key_path, &outside, cli.actor.as_deref(), command, json);
        }
        Command::Disclose { person_id, recipient, address, purpose, nature, law_enforcement, out } => {
            let app = open_app(&db)?;
            let actor = docket_app::actor_id(actor_text(cli.actor.as_deref()).as_deref(), "a disclosure")
                .map_err(|e| hint(e, &db))?;
            let request =
                docket_app::DisclosureRequest { person_id, recipient, address, purpose, nature, law_enforcement };
            let mut packet = docket_app::delivery::PacketFile::new(&out);
            let d = app.disclose(&actor, &request, &mut packet).map_err(|e| match e {
                // The request's fields are this command's flags.
                AppError::Invalid { field, reason }
                    if ["recipient", "address", "purpose", "nature"].contains(&field.as_str()) =>
                {
                    anyhow::anyhow!("`--{field}` {reason}")
                }
                other => hint(other, &db),
            })?;
            print(
                json,
                &json!({"disclosure": d.id, "packet": out, "packet_sha256": d.packet_sha256, "cases": d.cases,
                        "format": docket_app::packet::FORMAT}),
                || {
                    format!(
                        "disclosure #{} of {} to {} recorded; packet with {} case(s) written to {} (sha256 {})",
                        d.id,
                        request.person_id,
                        request.recipient,
                        d.cases,
                        out.display(),
                        d.packet_sha256
                    )
                },
            )?;
        }
        Command::Disclosures { person_id, purpose, for_the_person } => {
            let app = open_app(&db)?;
            let ctx = read_context(cli.actor.as_deref(), purpose.as_deref(), &db)?;
            let a = app.accounting(&ctx, &person_id, for_the_person).map_err(|e| hint(e, &db))?;
            print(json, &a, || docket::show::accounting_text(&a))?;
        }
        #[cfg(feature = "synth")]
        Command::Synth { cases, seed, out, as_of, departures, departures_variant } => {
            let as_of = match as_of {
                Some(d) => Date::parse(&d).with_context(|| format!("`--as-of {d}`"))?,
                None => now().local_date(),
            };
            let totals = synthesize(cases, seed, as_of, &out, json)?;
            let day = as_of.add_days(-1);
            let departed = (departures > 0)
                .then(|| {
                    let mut opts = LinkDataOptions::new(LinkDataKind::Manifest);
                    departures_variant.variant().apply(&mut opts)?;
                    let opts = LinkDataOptions {
                        rows_a: cases,
                        rows_b: departures,
                        seed,
                        threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
                        ..opts
                    };
                    docket_synth::linkage::departures(&opts, day, &out)
                        .with_context(|| format!("writing departures to `{}`", out.display()))
                })
                .transpose()?;
            print(
                json,
                &json!({"persons": totals.persons, "cases": totals.cases, "events": totals.events,
                       "as_of": as_of.to_string(), "out": out,
                       "departures": departed.as_ref().map(|d| json!({"records": d.rows,
                           "of_docket_persons": d.matches, "refused_by_the_reader": d.refused,
                           "departed_on": day.to_string()}))}),
                || {
                    let mut text = format!(
                        "wrote {} persons to {} and {} events of {} cases to {} (as of {as_of}, seed {seed})",
                        totals.persons,
                        out.join("persons.csv").display(),
                        totals.events,
                        totals.cases,
                        out.join("events.jsonl").display()
                    );
                    if let Some(d) = &departed {
                        text.push_str(&format!(
                            "\nwrote {} departure records of {day} to {} ({} of docket persons, {} that the reader refuses as a feed would send them; who each is in {})",
                            d.rows,
                            d.records.display(),
                            d.matches,
                            d.refused,
                            d.truth.display()
                        ));
                    }
                    text
                },
            )?;
        }
        #[cfg(feature = "synth")]
        Command::LinkData {
            kind,
            rows_a,
            rows_b,
            seed,
            match_share,
            dedupe,
            variant,
            relatives_share,
            twins_share,
            namesakes_share,
            households_share,
            dual_nationals_share,
            shifted_names_share,
            out,
        } => {
            use synth::linkage::Variant;
            let kind = match kind {
                LinkKind::Febrl => LinkDataKind::Febrl,
                LinkKind::Manifest => LinkDataKind::Manifest,
            };
            let variant = variant.variant();
            let mut opts = LinkDataOptions::new(kind);
            variant.apply(&mut opts)?;
            let s = &mut opts.shares;
            for (given, share) in [
                (relatives_share, &mut s.relatives),
                (twins_share, &mut s.twins),
                (namesakes_share, &mut s.namesakes),
                (households_share, &mut s.households),
                (dual_nationals_share, &mut s.dual_nationals),
                (shifted_names_share, &mut s.shifted_names),
            ] {
                if given.is_some() {
                    *share = given;
                }
            }
            let opts = LinkDataOptions {
                rows_a: rows_a.unwrap_or(opts.rows_a),
                rows_b: rows_b.unwrap_or(opts.rows_b),
                seed,
                match_share: match_share.unwrap_or(opts.match_share),
                dedupe,
                threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
                ..opts
            };
            let started = Instant::now();
            let summary = synth::linkage::generate(&opts, &out)?;
            let secs = started.elapsed().as_secs_f64();
            let tables: Vec<_> = summary.tables.iter().map(|(p, n)| json!({"path": p, "rows": n})).collect();
            print(
                json,
                &json!({"tables": tables, "truth": summary.truth, "true_pairs": summary.true_pairs,
                       "travellers": summary.travellers, "seed": seed, "variant": variant.name(), "seconds": secs}),
                || {
                    let tables: Vec<String> =
                        summary.tables.iter().map(|(p, n)| format!("{} ({n} rows)", p.display())).collect();
                    let travellers =
                        summary.travellers.as_ref().map(|p| format!(" and {}", p.display())).unwrap_or_default();
                    let variant = match variant {
                        Variant::Default => String::new(),
                        v => format!(", variant {}", v.name()),
                    };
                    format!(
                        "wrote {}, {} ({} true pairs){travellers} in {secs:.1} s (seed {seed}{variant})",
                        tables.join(", "),
                        summary.truth.display(),
                        summary.true_pairs
                    )
                },
            )?;
        }
        Command::Import { rejects, batch_size, commit_log, files } => {
            let app = open_app(&db)?;
            let mut cfg = ImportConfig::new(batch_size.max(1), now().local_date());
            // Persons stored are recorded with who imported them; events carry their own.
            cfg.actor = match actor_text(cli.actor.as_deref()) {
                Some(a) => Some(docket_app::actor_id(Some(&a), "an import").map_err(|e| hint(e, &db))?),
                None => None,
            };
            let report = run_import(&app, &files, &cfg, &rejects, commit_log.as_deref(), json)?;
            // Bind what was imported under a signed checkpoint, so that later tampering with
            // these rows or their leaves is caught by `ledger verify`. An import that cannot
            // sign says so and fails: what it stored stays stored, but nothing binds it yet.
            let signed = docket_app::keys::read_key(&key_path).and_then(|key| app.sign_checkpoint(&key, &outside));
            print_import(&report, json)?;
            if let Err(e) = signed {
                return Err(hint(e, &db).context(
                    "the rows above are stored, but no checkpoint was signed to bind them: sign one with \
                     `docket ledger checkpoint` once the key is available",
                ));
            }
            if report.report.rejected() > 0 {
                return Ok(ExitCode::from(exit::ROWS_REJECTED));
            }
        }
        Command::Link { settings, files, out, review_out, review_floor, model_out, model, truth, explain } => {
            use std::io::IsTerminal as _;
            let args = docket::link::LinkArgs {
                settings,
                files,
                out,
                review_out,
                review_floor,
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
        Command::Case { command } => case_command(&db, cli.actor.as_deref(), command, json)?,
        Command::Completions { shell } => docket::out::print(&docket::manual::completions(shell, Cli::command())?)?,
        Command::Man { command } => docket::out::print(&docket::manual::man_page(Cli::command(), &command)?)?,
        Command::Person { command: PersonCommand::Correct { person_id, set, reason } } => {
            let app = open_app(&db)?;
            let actor = docket_app::actor_id(actor_text(cli.actor.as_deref()).as_deref(), "a correction")
                .map_err(|e| hint(e, &db))?;
            let mut changes = Vec::new();
            for s in &set {
                let Some((field, value)) = s.split_once('=') else {
                    anyhow::bail!("`--set {s}`: expected FIELD=VALUE, as `given_names=Ana`");
                };
                changes.push((field.trim().to_owned(), value.to_owned()));
            }
            let (version, changed) =
                app.correct_person(&actor, &person_id, &changes, &reason).map_err(|e| hint(e, &db))?;
            print(json, &json!({"person_id": person_id, "version": version, "changed": changed}), || {
                format!("person {person_id} corrected: version {version} records {}", changed.join(", "))
            })?;
        }
        Command::Person { command: PersonCommand::Show { person_id, purpose } } => {
            let app = open_app(&db)?;
            let ctx = read_context(cli.actor.as_deref(), purpose.as_deref(), &db)?;
            let p = app.read_person(&ctx, &person_id, None).map_err(|e| hint(e, &db))?;
            print(json, &p, || docket::show::person_text(&p))?;
        }
        Command::Export { out, purpose } => {
            let app = open_app(&db)?;
            let ctx = read_context(cli.actor.as_deref(), purpose.as_deref(), &db)?;
            std::fs::create_dir_all(&out).with_context(|| format!("cannot create `{}`", out.display()))?;
            let (persons_path, events_path) = (out.join("persons.csv"), out.join("events.jsonl"));
            let create = |p: &Path| {
                owner_only::create_new(p)
                    .map(std::io::BufWriter::new)
                    .with_context(|| format!("cannot create `{}` (an export never writes over a file)", p.display()))
            };
            let mut persons = create(&persons_path)?;
            let mut events = create(&events_path)?;
            let r = app.export(&ctx, &mut persons, &mut events).map_err(|e| hint(e, &db))?;
            print(
                json,
                &json!({"persons": r.persons, "events": r.events, "persons_file": persons_path, "events_file": events_path}),
                || {
                    format!(
                        "exported {} persons to {} and {} events to {}",
                        r.persons,
                        persons_path.display(),
                        r.events,
                        events_path.display()
                    )
                },
            )?;
        }
        Command::Copy { to, purpose } => {
            let app = open_app(&db)?;
            let ctx = read_context(cli.actor.as_deref(), purpose.as_deref(), &db)?;
            // No bar: the number of rows is not known before the copy.
            let b = bar(0, "copy", true);
            let r = app
                .copy_to(&ctx, &to, &mut |n| b.set_position(n))
                .map_err(|e| hint(e, &to))
                .with_context(|| format!("copy into `{}`", docket_app::redact(&to)))?;
            b.finish_and_clear();
            print(json, &json!(r), || {
                let mut out = format!("copied {} rows into {}:", r.rows, r.target);
                for (table, n) in &r.tables {
                    out.push_str(&format!("\n  {table:<20} {n:>12}"));
                }
                out.push_str(
                    "\nThe copy's ledger is this one's: verify it with this ledger's key and checkpoints \
                     (`--ledger-key`, `--checkpoint-dir`), and sign there with that key.",
                );
                out
            })?;
        }
        Command::Rebuild => {
            let app = open_app(&db)?;
            let total = app.with_store(|s| s.stats())?.events;
            let b = bar(total, "rebuild", json);
            let started = Instant::now();
            let r = app.with_store(|s| s.rebuild(&mut |n| b.set_position(n)))?;
            b.finish_and_clear();
            print(
                json,
                &json!({"cases": r.cases, "events": r.events, "differing": r.differing_count,
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
            )?;
            if r.differing_count > 0 {
                return Ok(ExitCode::from(exit::REPAIRED));
            }
        }
        Command::Evaluate { as_of, purpose } => {
            let app = open_app(&db)?;
            let ctx = read_context(cli.actor.as_deref(), purpose.as_deref(), &db)?;
            let t = parse_instant(as_of.as_deref())?;
            let v = app.evaluate(&ctx, t).map_err(|e| hint(e, &db))?;
            print(json, &v, || docket::show::evaluation_text(&v))?;
        }
        Command::Worklist { kind, purpose, within, as_of, limit } => {
            let app = open_app(&db)?;
            let ctx = read_context(cli.actor.as_deref(), purpose.as_deref(), &db)?;
            let t = parse_instant(as_of.as_deref())?;
            let request = docket_app::gates::WorklistRequest { kind: kind.into(), within_days: within, limit };
            let v = app.worklist(&ctx, &request, t).map_err(|e| hint(e, &db))?;
            print(json, &v, || docket::show::worklist_text(&v))?;
        }
        Command::Policy { command: PolicyCommand::Adopt { file, effective } } => {
            let app = open_app(&db)?;
            let actor = docket_app::actor_id(actor_text(cli.actor.as_deref()).as_deref(), "adopting a policy")
                .map_err(|e| hint(e, &db))?;
            let effective = Timestamp::parse(&effective).with_context(|| format!("`--effective {effective}`"))?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read `{}`", file.display()))?;
            let v =
                app.adopt_policy(&actor, &file.display().to_string(), &text, effective).map_err(|e| hint(e, &db))?;
            print(json, &v, || {
                format!(
                    "adopted {} policy `{}` version `{}`, in force from {}\nsha256 {}\nrecorded as {} by {} at {}",
                    v.kind, v.policy_id, v.version, v.effective_at, v.sha256, v.leaf, v.adopted_by, v.adopted_at
                )
            })?;
        }
        Command::Policy { command: PolicyCommand::Check { file } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read `{}`", file.display()))?;
            let v = docket_app::policies::check(&file.display().to_string(), &text)?;
            print(json, &v, || docket::show::policy_check_text(&v))?;
        }
        Command::Policy { command: PolicyCommand::Test { dir } } => {
            let report = docket_app::policies::run_tests(&dir)?;
            print(json, &report, || docket::show::policy_tests_text(&report))?;
            if report.failed() > 0 || report.cases.is_empty() {
                return Ok(ExitCode::from(exit::FAILED));
            }
        }
        Command::Policy { command: PolicyCommand::Diff { old, new, as_of, purpose, examples } } => {
            let app = open_app(&db)?;
            let ctx = read_context(cli.actor.as_deref(), purpose.as_deref(), &db)?;
            let t = parse_instant(as_of.as_deref())?;
            let read = |p: &Path| std::fs::read_to_string(p).with_context(|| format!("cannot read `{}`", p.display()));
            let (old_text, new_text) = (read(&old)?, read(&new)?);
            let (old_name, new_name) = (old.display().to_string(), new.display().to_string());
            let v =
                app.diff_policies(&ctx, (&old_name, &old_text), (&new_name, &new_text), t).map_err(|e| hint(e, &db))?;
            print(json, &v, || docket::show::policy_diff_text(&v, examples))?;
        }
        Command::Departures { command } => departures_command(&db, command, cli.actor.as_deref(), json)?,
        Command::Review { command } => review_command(&db, command, cli.actor.as_deref(), json)?,
        Command::Report { as_of, horizon } => {
            let t = parse_instant(as_of.as_deref())?;
            let report = open_app(&db)?.report(t, horizon)?;
            print(json, &report, || docket::show::report_text(&report))?;
        }
        Command::Witness { command } => witness_command(&db, command, json)?,
        #[cfg(feature = "synth")]
        Command::Demo { cases, seed, dir } => demo(cases, seed, &dir, cli.actor.as_deref(), json)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The name of the key that signed a checkpoint note (its signature line's second word).
fn signer(note: &str) -> String {
    note.lines().rev().find_map(|l| l.strip_prefix("— ")).and_then(|l| l.split(' ').next()).unwrap_or("?").to_owned()
}

fn witness_command(db: &str, command: WitnessCommand, json: bool) -> Result<()> {
    use docket_app::witness::Witness;
    match command {
        WitnessCommand::Init { dir, name } => {
            let w = Witness::init(&dir, &name)?;
            let vkey = w.verifier_key().to_string();
            print(json, &json!({"witness_dir": dir, "verifier_key": vkey}), || {
                format!(
                    "witness `{name}` made in {}\nits verifier key (give it to `ledger verify --witness`):\n{vkey}",
                    dir.display()
                )
            })?;
        }
        WitnessCommand::Key { dir } => {
            let vkey = Witness::open(&dir)?.verifier_key().to_string();
            print(json, &json!({"verifier_key": vkey}), || vkey.clone())?;
        }
        WitnessCommand::Cosign { dir, log_key, checkpoint } => {
            let w = Witness::open(&dir)?;
            let log_key = docket_ledger::VerifierKey::from_text(&log_key).context("`--log-key`")?;
            let app = open_app(db)?;
            let note = match &checkpoint {
                Some(file) => {
                    std::fs::read_to_string(file).with_context(|| format!("cannot read `{}`", file.display()))?
                }
                None => {
                    let newest = app.with_store(|s| s.checkpoints())?.pop();
                    newest.context("the database has no signed checkpoint to cosign")?.note
                }
            };
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .context("the clock is before 1970")?
                .as_secs();
            let c = w.cosign(&app, &log_key, &note, now).map_err(|e| hint(e, db))?;
            print(json, &json!(c), || {
                let what = if c.already { "already cosigned" } else { "cosigned" };
                format!(
                    "tree size {} {what} (the witness held size {}), kept in {}\n{}",
                    c.tree_size, c.previous_size, c.file, c.note
                )
            })?;
        }
    }
    Ok(())
}

fn ledger_command(
    db: &str,
    key_path: &Path,
    outside: &CheckpointDir,
    actor: Option<&str>,
    command: LedgerCommand,
    json: bool,
) -> Result<ExitCode> {
    let app = open_app(db)?;
    match command {
        LedgerCommand::RotateKey => {
            let old = docket_app::keys::read_key(key_path).map_err(|e| hint(e, db))?;
            let staged = key_path.with_extension("new-key");
            if staged.exists() {
                bail!("`{}` exists: a rotation was interrupted; remove it and try again", staged.display());
            }
            docket_app::keys::ensure_key(&staged).map_err(|e| hint(e, db))?;
            let new = docket_app::keys::read_key(&staged).map_err(|e| hint(e, db))?;
            let size = app.rotate_key(&old, &new, outside).map_err(|e| hint(e, db))?;
            let retired = PathBuf::from(format!("{}.retired-{}", key_path.display(), old.name()));
            std::fs::rename(key_path, &retired)
                .with_context(|| format!("the rotation is recorded; move `{}` aside by hand", key_path.display()))?;
            std::fs::rename(&staged, key_path).with_context(|| {
                format!("the rotation is recorded; move `{}` to `{}` by hand", staged.display(), key_path.display())
            })?;
            print(
                json,
                &json!({"from_tree_size": size, "verifier_key": new.verifier_key_text(),
                        "retired_verifier_key": old.verifier_key_text(), "retired_key_file": retired}),
                || {
                    format!(
                        "key `{}` signs from tree size {size} on; `{}` (kept at {}) signed up to it\nverifier key: {}",
                        new.name(),
                        old.name(),
                        retired.display(),
                        new.verifier_key_text()
                    )
                },
            )?;
        }
        LedgerCommand::Checkpoints => {
            let cps = app.with_store(|s| s.checkpoints())?;
            let rows: Vec<serde_json::Value> = cps
                .iter()
                .map(|c| json!({"tree_size": c.size, "root": b64(&c.root), "key": signer(&c.note), "note": c.note}))
                .collect();
            print(json, &json!({"checkpoints": rows}), || {
                let mut out = format!("{} signed checkpoint(s) stored", cps.len());
                for c in &cps {
                    out.push_str(&format!(
                        "\n  tree size {:>10}  root {}  key {}",
                        c.size,
                        b64(&c.root),
                        signer(&c.note)
                    ));
                }
                out
            })?;
        }
        LedgerCommand::Key => {
            let vkey = docket_app::keys::read_key(key_path).map_err(|e| hint(e, db))?.verifier_key_text();
            print(json, &json!({"verifier_key": vkey}), || vkey.clone())?;
        }
        LedgerCommand::Checkpoint => {
            let key = docket_app::keys::read_key(key_path).map_err(|e| hint(e, db))?;
            let cp = app.sign_checkpoint(&key, outside)?;
            print(json, &json!({"tree_size": cp.size, "root": b64(&cp.root), "note": cp.note}), || cp.note.clone())?;
        }
        LedgerCommand::Verify { vkey, trusted, witness } => {
            let witnesses = witness
                .iter()
                .map(|w| docket_ledger::WitnessVerifierKey::from_text(w).with_context(|| format!("`--witness {w}`")))
                .collect::<Result<Vec<_>>>()?;
            let key = docket_app::keys::verifier(vkey.as_deref(), key_path)
                .map_err(|e| hint(e, db))
                .context("`--vkey` or the ledger key")?;
            // Checkpoints held outside the database: those given, else the checkpoint directory.
            let held = match &trusted {
                Some(path) => docket_app::checkpoints::load_trusted(path)?,
                None if outside.exists() => docket_app::checkpoints::load_trusted(outside.path())?,
                None => Vec::new(),
            };
            let held_from = trusted.as_deref().or(outside.exists().then(|| outside.path()));
            let total = app.with_store(|s| s.ledger_head())?.0;
            let b = bar(total, "verify", json);
            let started = Instant::now();
            // Each recorded key for its period, the chain checked from the key the verifier trusts.
            let keys = app.key_periods(&key).map_err(|e| hint(e, db))?;
            let mut r = app.with_store(|s| s.verify_ledger_trusting(&keys, &held, &mut |n| b.set_position(n)))?;
            b.finish_and_clear();
            // The witnesses' cosignatures on the checkpoints held: each witness required must
            // have cosigned at least one, and every cosignature of theirs must verify.
            for what in docket_app::witness::check_cosigned(&held, &witnesses) {
                r.discrepancy_count += 1;
                r.discrepancies.push(docket_store::ledger::Discrepancy { leaf: None, what });
            }
            // The projections are derived, not ledger records: recomputed from the events and
            // compared, without writing.
            let events = app.with_store(|s| s.stats())?.events;
            let b = bar(events, "projections", json);
            let p = app.with_store(|s| s.check_projections(&mut |n| b.set_position(n)))?;
            b.finish_and_clear();
            let secs = started.elapsed().as_secs_f64();
            print(
                json,
                &json!({"leaves": r.leaves, "events": r.events, "accesses": r.accesses, "disclosures": r.disclosures,
                       "person_versions": r.person_versions, "policies": r.policies, "persons": r.persons,
                       "checkpoints_checked": r.checkpoints_checked, "departure_acts": r.departure_acts,
                       "trusted_from": held_from, "trusted_checked": r.trusted_checked, "latest_trusted": r.latest_trusted,
                       "projections_checked": p.cases, "projections_differing": p.differing_count,
                       "first_differing_projections": p.differing,
                       "latest_checkpoint": r.latest_checkpoint, "discrepancies": r.discrepancy_count,
                       "details": r.discrepancies.iter().map(|d| d.what.clone()).collect::<Vec<_>>(), "seconds": secs}),
                || {
                    let mut s = format!(
                        "checked {} leaves ({} events, {} reads, {} disclosures, {} versions of persons' identities, \
                         {} adopted policies, {} departure acts), {} persons' stored identities and {} signed checkpoint{} (latest at size {}) in {secs:.1} s: ",
                        r.leaves,
                        r.events,
                        r.accesses,
                        r.disclosures,
                        r.person_versions,
                        r.policies,
                        r.departure_acts,
                        r.persons,
                        r.checkpoints_checked,
                        if r.checkpoints_checked == 1 { "" } else { "s" },
                        r.latest_checkpoint.map_or("none".to_owned(), |n| n.to_string())
                    );
                    match held_from {
                        Some(from) => s.push_str(&format!(
                            "{} checkpoint(s) held outside the database ({}, newest at size {}) compared; ",
                            r.trusted_checked,
                            from.display(),
                            r.latest_trusted.map_or("none".to_owned(), |n| n.to_string())
                        )),
                        None => s.push_str(
                            "no checkpoint held outside the database was given (`--trusted`), so a rewrite that also \
                             deleted the database's checkpoints, or a rollback, would not show; ",
                        ),
                    }
                    if p.differing_count == 0 {
                        s.push_str(&format!("{} case projections recomputed from the events: identical; ", p.cases));
                    } else {
                        s.push_str(&format!(
                            "{} of {} case projections differ from the events ({}{}): derived rows were altered, and \
                             reports read them (`docket rebuild` rewrites them from the events); ",
                            p.differing_count,
                            p.cases,
                            p.differing.join(", "),
                            if p.differing_count > p.differing.len() as u64 { ", …" } else { "" }
                        ));
                    }
                    if r.discrepancy_count == 0 && r.latest_checkpoint.is_none() && r.leaves > 0 {
                        s.push_str(
                            "no discrepancy among the rows, but no signed checkpoint binds them: a rewrite of \
                             rows and leaves together would not show (sign one with `docket ledger checkpoint`)",
                        );
                    } else if r.discrepancy_count == 0 {
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
            )?;
            if r.discrepancy_count > 0 || p.differing_count > 0 || r.latest_checkpoint.is_none() && r.leaves > 0 {
                return Ok(ExitCode::from(exit::NOT_VERIFIED));
            }
        }
        LedgerCommand::Prove { leaf, purpose } => {
            let event_id;
            let person_id;
            let number = |n: &str| n.parse::<i64>().with_context(|| format!("`{leaf}`: `{n}` is not a number"));
            let parts: Vec<&str> = leaf.split('/').collect();
            let target = match parts.as_slice() {
                ["read", n] => LeafRef::Read(number(n)?),
                ["disclosure", n] => LeafRef::Disclosure(number(n)?),
                ["policy", n] => LeafRef::Policy(number(n)?),
                ["person", p, v] => {
                    person_id = docket_core::PersonId::parse(p).with_context(|| format!("person id `{p}`"))?;
                    LeafRef::PersonVersion(&person_id, number(v)? as u64)
                }
                [id] => {
                    event_id = EventId::parse(id).with_context(|| {
                        format!(
                            "`{leaf}`: expected an event id, `read/N`, `disclosure/N`, `person/PERSON_ID/VERSION` or `policy/N`"
                        )
                    })?;
                    LeafRef::Event(&event_id)
                }
                _ => bail!(
                    "`{leaf}`: expected an event id, `read/N`, `disclosure/N`, `person/PERSON_ID/VERSION` or `policy/N`"
                ),
            };
            let ctx = match &purpose {
                Some(_) => Some(read_context(actor, purpose.as_deref(), db)?),
                None => None,
            };
            let p = app
                .prove(target, ctx.as_ref())
                .map_err(|e| hint(e, db))
                .context("no proof (a checkpoint newer than the leaf is needed: `docket ledger checkpoint`)")?;
            print(json, &json!({"leaf_ref": leaf, "proof": &p}), || {
                format!(
                    "{leaf} is leaf {} of the {}-leaf tree\nleaf hash: {}\n{}audit path ({} hashes):\n{}\ncheckpoint:\n{}",
                    p.leaf_index,
                    p.tree_size,
                    p.leaf_hash,
                    p.leaf.as_ref().map(|l| format!("leaf (base64): {l}\n")).unwrap_or_default(),
                    p.path.len(),
                    p.path.iter().map(|h| format!("  {h}")).collect::<Vec<_>>().join("\n"),
                    p.checkpoint
                )
            })?;
        }
        LedgerCommand::Consistency { old_size, new_size } => {
            let (old_root, new_root, proof) = app.with_store(|s| s.consistency(old_size, new_size))?;
            let proof: Vec<String> = proof.iter().map(|h| b64(h)).collect();
            print(
                json,
                &json!({"old_size": old_size, "new_size": new_size, "old_root": b64(&old_root),
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
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints a command's result: `value` as JSON, or `text`. A failure to write is the command's
/// failure; a closed pipe is not (`docket::out`).
/// The shipped person settings the departure feed links with.
fn departure_settings() -> Result<docket_link::settings::Settings> {
    docket_link::settings::Settings::shipped("persons")
        .context("the shipped `persons` settings are missing")?
        .context("the shipped `persons` settings do not load")
}

/// Reads the departure records of `file`, reporting each bad line on stderr.
fn read_departure_file(file: &Path, today: Date) -> Result<(Vec<docket_core::DepartureRecord>, Vec<Reject>)> {
    use docket_app::departures::{DepartureFormat, DepartureLine, read_departures};
    let format = DepartureFormat::of_path(file)?;
    let reader = std::fs::File::open(file).with_context(|| format!("cannot read `{}`", file.display()))?;
    let (mut records, mut rejects) = (Vec::new(), Vec::new());
    read_departures(&file.display().to_string(), format, std::io::BufReader::new(reader), today, |line| {
        match line {
            DepartureLine::Record(_, d) => records.push(d),
            DepartureLine::Rejected(r) => rejects.push(r),
        }
        Ok(())
    })?;
    Ok((records, rejects))
}

fn departures_command(db: &str, command: DeparturesCommand, actor: Option<&str>, json: bool) -> Result<()> {
    use docket_app::matching::FeedSettings;
    let app = open_app(db)?;
    let today = app.now().local_date();
    match command {
        DeparturesCommand::Fit { file } => {
            let actor = docket_app::actor_id(actor_text(actor).as_deref(), "fitting the departure model")
                .map_err(|e| hint(e, db))?;
            let settings = departure_settings()?;
            let (records, rejects) = read_departure_file(&file, today)?;
            let fitted = app.fit_departure_model(&settings, "persons", &records, &FeedSettings::new())?;
            let act = app.adopt_departure_model(&actor, &fitted)?;
            let version = &fitted.version;
            print(
                json,
                &json!({"model": version.as_str(), "sample": records.len(), "rejected": rejects.len(), "act": act,
                    "estimated_recall": fitted.recall}),
                || {
                    format!(
                        "fitted model {version} on {} departure records ({} lines refused) and put it in force (departure act {act}); {}",
                        records.len(),
                        rejects.len(),
                        recall_text(Some(&fitted.recall))
                    )
                },
            )?;
        }
        DeparturesCommand::Ingest { file, accept_from, review_floor, retention_hours, proposals_out, indexed_out } => {
            let feed = FeedSettings { accept_from, review_floor, retention_hours, ..FeedSettings::new() };
            let settings = departure_settings()?;
            let (version, model) = app.departure_model_in_force(&settings).map_err(|e| hint(e, db))?;
            let started = Instant::now();
            let index = app.departure_index(&settings, &model, version)?;
            let indexed = started.elapsed().as_secs_f64();
            let (records, rejects) = read_departure_file(&file, today)?;
            for r in &rejects {
                eprintln!("{}:{}: field `{}`: {}", r.file, r.line, r.field, r.reason);
            }
            let started = Instant::now();
            let mut counts: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
            let mut decisions = Vec::new();
            for chunk in records.chunks(1_000) {
                for d in app.ingest_departures(&index, chunk, &feed)? {
                    *counts.entry(d.outcome).or_default() += 1;
                    if d.outcome != "unmatched" && d.outcome != "already_stored" {
                        decisions.push(d);
                    }
                }
            }
            let decided = started.elapsed().as_secs_f64();
            if let Some(path) = &proposals_out {
                // Person ids: created as the other files that hold personal data are, owner-only.
                let f = owner_only::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
                let mut w = std::io::BufWriter::new(f);
                for d in &records {
                    let (persons, skipped, held_back) = index.proposed(d)?;
                    writeln!(
                        w,
                        "{}\t{skipped}\t{held_back}\t{}",
                        docket_app::matching::record_key(d),
                        persons.join(" ")
                    )
                    .with_context(|| format!("writing `{}`", path.display()))?;
                }
                w.flush().with_context(|| format!("writing `{}`", path.display()))?;
            }
            if let Some(path) = &indexed_out {
                // Person ids: created as the other files that hold personal data are, owner-only.
                let f = owner_only::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
                let mut w = std::io::BufWriter::new(f);
                for id in index.person_ids() {
                    writeln!(w, "{id}").with_context(|| format!("writing `{}`", path.display()))?;
                }
                w.flush().with_context(|| format!("writing `{}`", path.display()))?;
            }
            let summary = json!({"model": index.model().as_str(), "persons_indexed": index.persons(),
                "records": records.len(), "rejected": rejects.len(), "outcomes": counts,
                "index_seconds": indexed, "decide_seconds": decided, "decisions": decisions});
            print(json, &summary, || {
                let mut text = format!(
                    "{} records ({} lines refused) against {} persons of open cases under model {}:\n",
                    records.len(),
                    rejects.len(),
                    index.persons(),
                    index.model()
                );
                for (outcome, n) in &counts {
                    text.push_str(&format!("  {outcome}: {n}\n"));
                }
                for d in &decisions {
                    match d.outcome {
                        "verified" => text.push_str(&format!("verified {} on {}\n", d.record, d.cases.join(", "))),
                        _ => text.push_str(&format!(
                            "review R-{} {}: {}\n",
                            d.review.unwrap_or_default(),
                            d.record,
                            d.why.as_deref().unwrap_or("")
                        )),
                    }
                }
                text.push_str(&format!("index built in {indexed:.1} s, records decided in {decided:.1} s"));
                text
            })?;
        }
        DeparturesCommand::Consume {
            nats,
            stream,
            subject,
            consumer,
            dead_stream,
            dead_subject,
            batch,
            refresh_seconds,
            accept_from,
            review_floor,
            retention_hours,
        } => {
            let feed = FeedSettings { accept_from, review_floor, retention_hours, ..FeedSettings::new() };
            let config = docket_feed::FeedConfig {
                url: nats,
                stream,
                subjects: vec![subject],
                consumer,
                dead_stream,
                dead_subject,
                batch_size: batch,
                max_ack_pending: batch.max(docket_feed::FeedConfig::default().max_ack_pending),
                ..docket_feed::FeedConfig::default()
            };
            let settings = departure_settings()?;
            // The model in force is needed before anything is fetched: say how to get one.
            app.departure_model_in_force(&settings).map_err(|e| hint(e, db))?;
            let refresh = std::time::Duration::from_secs(refresh_seconds.max(1));
            let consumed = docket::consume::consume(&app, settings, config, feed, refresh)?;
            print(json, &consumed, || {
                let mut text = format!(
                    "stopped: {} records decided and acked in {} batches, {} dead-lettered, {} to come again; \
                     the index was rebuilt {} times ({} persons at the end)",
                    consumed.committed,
                    consumed.batches,
                    consumed.dead_lettered,
                    consumed.retried,
                    consumed.index_rebuilds,
                    consumed.persons_indexed
                );
                for (outcome, n) in &consumed.outcomes {
                    text.push_str(&format!("\n  {outcome}: {n}"));
                }
                text
            })?;
        }
        DeparturesCommand::Purge { retention_hours } => {
            let feed = FeedSettings { retention_hours, ..FeedSettings::new() };
            let purged = app.purge_departures(&feed)?;
            print(
                json,
                &json!({"records": purged.records, "act": purged.act, "removed_sha256": purged.sha256}),
                || match purged.act {
                    Some(act) => format!(
                        "deleted {} departure records past their window (departure act {act}, sha256 {})",
                        purged.records, purged.sha256
                    ),
                    None => "no departure record was due for deletion".to_owned(),
                },
            )?;
        }
        DeparturesCommand::Report { from, to } => {
            let day = |flag: &str, d: Option<String>| {
                d.map(|d| Date::parse(&d).map_err(|e| anyhow::anyhow!("`{flag}`: {e}"))).transpose()
            };
            let window = docket_app::departure_report::ReportWindow::new(day("--from", from)?, day("--to", to)?)?;
            let report = app.departure_report(window)?;
            print(json, &report, || departure_report_text(&report))?;
        }
        DeparturesCommand::Withdraw { case, reason } => {
            let reason = docket_core::Reason::parse(&reason).map_err(|e| anyhow::anyhow!("`--reason`: {e}"))?;
            let actor = docket_app::actor_id(actor_text(actor).as_deref(), "withdrawing a departure verification")
                .map_err(|e| hint(e, db))?;
            let recorded = app.withdraw_departure_verification(&actor, &case, &reason).map_err(|e| hint(e, db))?;
            let version = match recorded {
                docket_app::Recorded::Stored { version } => version,
                docket_app::Recorded::AlreadyStored { .. } => 0,
            };
            print(
                json,
                &json!({"case": case, "withdrawn": true, "version": version, "reason": reason.as_str()}),
                || format!("the verified departure of case {case} was withdrawn (case version {version}): {reason}"),
            )?;
        }
    }
    Ok(())
}

/// The linkage's estimated recall, in words.
fn recall_text(recall: Option<&docket_app::matching::RecallEstimate>) -> String {
    match recall {
        Some(r) => match (r.with_review, r.clear) {
            (Some(all), Some(clear)) => format!(
                "estimated recall {:.1}% with review items decided ({:.1}% from clear matches alone, of {:.0} expected matches)",
                all * 100.0,
                clear * 100.0,
                r.expected_matches
            ),
            _ => "recall not estimated: the fit expected no match in its sample".to_owned(),
        },
        None => "recall not estimated: no model in force was adopted with an estimate (fit one)".to_owned(),
    }
}

/// The departure report for an officer.
fn departure_report_text(r: &docket_app::departure_report::DepartureReport) -> String {
    let mut t = format!(
        "Departure report as of {}{}\n\nDeparture records, by day of departure and port\n",
        r.as_of,
        match (&r.from, &r.to) {
            (None, None) => String::new(),
            (f, to) => format!(", days {} to {}", f.as_deref().unwrap_or("(first)"), to.as_deref().unwrap_or("(last)")),
        }
    );
    t.push_str(&format!(
        "  {:<10}  {:<6} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
        "day", "port", "received", "verified", "in review", "unmatched", "purged"
    ));
    let row = |day: &str, port: &str, c: &docket_app::departure_report::FeedCounts| {
        format!(
            "  {day:<10}  {port:<6} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
            c.received, c.verified, c.in_review, c.unmatched, c.purged
        )
    };
    for d in &r.days {
        t.push_str(&row(&d.day, &d.port, &d.counts));
    }
    t.push_str(&row("total", "", &r.totals));
    let line = |label: &str, n: u64, note: &str| format!("  {label:<27}{n:>9}{note}\n");
    let vd = &r.voluntary_departure;
    t.push_str(&format!("\nVoluntary departure granted: {} cases\n", vd.cases));
    t.push_str(&line("departed on time", vd.on_time, ""));
    t.push_str(&line("departed late", vd.late, ""));
    t.push_str(&line("not recorded", vd.not_recorded, "   (period over, no departure verified)"));
    t.push_str(&line("still within the period", vd.still_within_period, ""));
    t.push_str(&line("removed", vd.removed, ""));
    t.push_str(&line("closed for another reason", vd.closed_otherwise, ""));
    let fo = &r.final_order;
    t.push_str(&format!("\nFinal order of removal: {} cases\n", fo.cases));
    t.push_str(&line("departed (out of country)", fo.departed, ""));
    t.push_str(&line("removed (out of country)", fo.removed, ""));
    let recall = format!("   suspected still in the country; {}", recall_text(fo.estimated_recall.as_ref()));
    t.push_str(&line("no departure recorded", fo.no_departure_recorded, &recall));
    t.push_str(&line("closed for another reason", fo.closed_otherwise, ""));
    if let Some(m) = &fo.model {
        t.push_str(&format!("  model in force: {m}\n"));
    }
    if !r.unreadable.is_empty() {
        t.push_str(&format!("\n{} case projections could not be read and are in no figure\n", r.unreadable.len()));
    }
    t.trim_end().to_owned()
}

fn review_command(db: &str, command: ReviewCommand, actor: Option<&str>, json: bool) -> Result<()> {
    use docket_app::matching::FeedSettings;
    let app = open_app(db)?;
    let reason_of = |text: &str| docket_core::Reason::parse(text).map_err(|e| anyhow::anyhow!("`--reason`: {e}"));
    let show = |v: &docket_app::matching::ReviewView| {
        let mut text = format!(
            "R-{} ({}) {} opened {}: {}\n",
            v.id,
            v.state,
            v.record_key,
            v.opened_at,
            v.why.as_deref().unwrap_or("")
        );
        if let Some(r) = &v.record {
            text.push_str(&format!("  record: {r}\n"));
        }
        for c in &v.candidates {
            text.push_str(&format!(
                "  candidate {} probability {:.6} weight {:.2}\n",
                c.person_id, c.probability, c.weight
            ));
            for k in &c.comparisons {
                text.push_str(&format!("    {:<16} {:<28} {:+.2}\n", k.comparison, k.level, k.weight));
            }
        }
        if let Some((who, at, reason)) = &v.decided {
            text.push_str(&format!("  decided by {who} at {at}: {reason}\n"));
        }
        text.trim_end().to_owned()
    };
    match command {
        ReviewCommand::List { purpose } => {
            let ctx = read_context(actor, purpose.as_deref(), db)?;
            let items = app.review_queue(&ctx).map_err(|e| hint(e, db))?;
            print(json, &items, || {
                if items.is_empty() {
                    return "the review queue is empty".to_owned();
                }
                items
                    .iter()
                    .map(|v| {
                        format!(
                            "R-{} {} {} candidates: {}",
                            v.id,
                            v.record_key,
                            v.candidates.len(),
                            v.why.as_deref().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
        ReviewCommand::Show { id, purpose } => {
            let ctx = read_context(actor, purpose.as_deref(), db)?;
            let v = app.review_item(&ctx, id).map_err(|e| hint(e, db))?;
            print(json, &v, || show(&v))?;
        }
        ReviewCommand::Accept { id, reason, person } => {
            let reviewer = docket_app::actor_id(actor_text(actor).as_deref(), "deciding a review item")
                .map_err(|e| hint(e, db))?;
            let person = person
                .map(|p| docket_core::PersonId::parse(&p).with_context(|| format!("`--person {p}`")))
                .transpose()?;
            let d = app
                .decide_review(&reviewer, id, Some(person), &reason_of(&reason)?, &FeedSettings::new())
                .map_err(|e| hint(e, db))?;
            print(json, &d, || {
                format!("R-{id} accepted (departure act {}): departure verified on {}", d.act, d.cases.join(", "))
            })?;
        }
        ReviewCommand::Reject { id, reason, retention_hours } => {
            let reviewer = docket_app::actor_id(actor_text(actor).as_deref(), "deciding a review item")
                .map_err(|e| hint(e, db))?;
            let feed = FeedSettings { retention_hours, ..FeedSettings::new() };
            let d = app.decide_review(&reviewer, id, None, &reason_of(&reason)?, &feed).map_err(|e| hint(e, db))?;
            print(json, &d, || format!("R-{id} rejected (departure act {}): the record stays unmatched", d.act))?;
        }
    }
    Ok(())
}

fn print(json: bool, value: &impl Serialize, text: impl FnOnce() -> String) -> Result<()> {
    let out = if json { serde_json::to_string_pretty(value)? } else { text() };
    docket::out::print_line(&out)
}

#[cfg(feature = "synth")]
fn synthesize(cases: u64, seed: u64, as_of: Date, out: &Path, json: bool) -> Result<synth::SynthTotals> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create `{}`", out.display()))?;
    let create = |name: &str| -> Result<std::io::BufWriter<std::fs::File>> {
        let p = out.join(name);
        let f = owner_only::create(&p).with_context(|| format!("cannot create `{}`", p.display()))?;
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

/// The command line's import sink: a rejects file (created at the first reject), a commit log
/// of stored event ids, and a progress bar.
struct FileSink {
    rejects_path: PathBuf,
    rejects: Option<std::io::BufWriter<std::fs::File>>,
    commit_log: Option<std::io::BufWriter<std::fs::File>>,
    bar: ProgressBar,
}

impl ImportSink for FileSink {
    fn rejected(&mut self, reject: &Reject) -> Result<(), AppError> {
        if self.rejects.is_none() {
            let f = owner_only::create(&self.rejects_path).map_err(|source| AppError::Io {
                what: format!("cannot create rejects file `{}`", self.rejects_path.display()),
                source,
            })?;
            self.rejects = Some(std::io::BufWriter::new(f));
        }
        if let Some(out) = self.rejects.as_mut() {
            let io = |source| AppError::Io { what: "writing the rejects file".into(), source };
            serde_json::to_writer(&mut *out, reject).map_err(|e| io(e.into()))?;
            out.write_all(b"\n").map_err(io)?;
        }
        Ok(())
    }

    fn committed(&mut self, stored: &[EventId]) -> Result<(), AppError> {
        if let Some(log) = self.commit_log.as_mut() {
            let io = |source| AppError::Io { what: "writing the commit log".into(), source };
            for id in stored {
                writeln!(log, "{id}").map_err(io)?;
            }
            log.flush().map_err(io)?;
        }
        Ok(())
    }

    fn progress(&mut self, name: &str, bytes: u64, size: Option<u64>) {
        self.bar.set_length(size.unwrap_or(bytes));
        self.bar.set_position(bytes);
        let short = Path::new(name).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        self.bar.set_message(short);
    }
}

/// An import's report as the command line prints it.
#[derive(Serialize)]
struct ImportOutput {
    #[serde(flatten)]
    report: ImportReport,
    /// The rejects file, if anything was rejected.
    rejects_file: Option<PathBuf>,
}

fn run_import(
    app: &App,
    files: &[PathBuf],
    cfg: &ImportConfig,
    rejects: &Path,
    commit_log: Option<&Path>,
    json: bool,
) -> Result<ImportOutput> {
    let mut sources = Vec::new();
    for f in files {
        sources.push(ImportSource::open(f)?);
    }
    // The rejects file describes this run only: one left by an earlier run would mislead.
    match std::fs::remove_file(rejects) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("cannot replace rejects file `{}`", rejects.display()));
        }
        _ => {}
    }
    let commit_log = match commit_log {
        None => None,
        Some(p) => Some(std::io::BufWriter::new(
            owner_only::append(p).with_context(|| format!("cannot open commit log `{}`", p.display()))?,
        )),
    };
    let mut sink = FileSink { rejects_path: rejects.to_owned(), rejects: None, commit_log, bar: byte_bar(json) };
    let report = app.import(sources, cfg, &mut sink).map_err(|e| hint(e, app.url()))?;
    sink.bar.finish_and_clear();
    let rejects_file = match sink.rejects.take() {
        Some(mut out) => {
            out.flush().context("writing the rejects file")?;
            Some(rejects.to_owned())
        }
        None => None,
    };
    Ok(ImportOutput { report, rejects_file })
}

fn print_import(out: &ImportOutput, json: bool) -> Result<()> {
    let report = &out.report;
    print(json, out, || {
        let mut s = String::new();
        for f in &report.files {
            s.push_str(&format!(
                "{}: {} rows, {} stored, {} already stored, {} rejected\n",
                f.path, f.rows, f.stored, f.duplicates, f.rejected
            ));
        }
        s.push_str(&format!(
            "imported in {:.1} s ({:.0} rows/s)",
            report.seconds,
            report.rows() as f64 / report.seconds.max(1e-9)
        ));
        if let Some(path) = &out.rejects_file {
            s.push_str(&format!("\n{} rows rejected; all are listed in {}", report.rejected(), path.display()));
            for r in report.first_rejects.iter().take(10) {
                s.push_str(&format!("\n  {}:{}: field `{}`: {}", r.file, r.line, r.field, r.reason));
            }
        }
        s
    })
}

fn case_command(db: &str, actor: Option<&str>, command: CaseCommand, json: bool) -> Result<()> {
    match command {
        CaseCommand::Show { case_id, as_of, purpose } => {
            let t = parse_instant(as_of.as_deref())?;
            let app = open_app(db)?;
            let ctx = read_context(actor, purpose.as_deref(), db)?;
            let view = app.read_case(&ctx, &case_id, t).map_err(|e| hint(e, db))?;
            print(json, &view, || docket::show::case_text(&view))?;
        }
        CaseCommand::List { stage, due_within, limit, purpose, as_of } => {
            let t = parse_instant(as_of.as_deref())?;
            let app = open_app(db)?;
            let ctx = read_context(actor, purpose.as_deref(), db)?;
            let stage = stage.and_then(|name| docket_core::Stage::ALL.into_iter().find(|s| s.name() == name));
            let filter = docket_app::CaseFilter { stage, due_within_days: due_within, limit };
            let view = app.list_cases(&ctx, &filter, t).map_err(|e| hint(e, db))?;
            print(json, &view, || {
                let mut out = format!("{} case(s) match ({}); {} shown", view.matching, view.filter, view.cases.len());
                for c in &view.cases {
                    let due = c
                        .next_deadline
                        .as_ref()
                        .map(|d| format!("  next due {} ({})", d.due, d.citation.unwrap_or(d.rule)))
                        .unwrap_or_default();
                    out.push_str(&format!("\n  {}  {} (version {}){due}", c.case_id, c.stage, c.version));
                }
                for u in &view.unreadable {
                    out.push_str(&format!("\n  unreadable: {}", u.error));
                }
                out
            })?;
        }
        CaseCommand::Timeline { case_id, purpose } => {
            let app = open_app(db)?;
            let ctx = read_context(actor, purpose.as_deref(), db)?;
            let view = app.read_timeline(&ctx, &case_id).map_err(|e| hint(e, db))?;
            // The JSON timeline is the events themselves, each with its number.
            print(json, &view.events, || docket::show::timeline_text(&view))?;
        }
    }
    Ok(())
}

#[cfg(feature = "synth")]
fn demo(cases: u64, seed: u64, dir: &Path, actor: Option<&str>, json: bool) -> Result<()> {
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
    App::init(&url)?;
    let key_path = docket_app::keys::default_key_path(&url);
    docket_app::keys::ensure_key(&key_path)?;
    let app = open_app(&url)?;
    let mut cfg = ImportConfig::new(20_000, t.local_date());
    cfg.actor = docket_core::ActorId::parse("docket.demo").ok();
    let rejects = dir.join("rejects.jsonl");
    let report = run_import(&app, &[dir.join("persons.csv"), dir.join("events.jsonl")], &cfg, &rejects, None, json)?;
    let cp = app.sign_checkpoint(&docket_app::keys::read_key(&key_path)?, &CheckpointDir::beside_key(&key_path))?;
    let docket = app.report(Some(t), 30)?;
    let imported = &report.report;
    if json {
        print(
            true,
            &json!({"database": url, "synth": {"cases": totals.cases, "events": totals.events, "seconds": synth_secs},
                   "import": report, "report": docket}),
            String::new,
        )?;
    } else {
        // The hint must work as printed: the binary by its path, and an actor even where `USER`
        // is unset.
        let exe = std::env::current_exe().map_or_else(|_| "docket".to_owned(), |p| p.display().to_string());
        let who = actor_text(actor).unwrap_or_else(|| "demo.officer".to_owned());
        let mut out = format!(
            "Synthesized {} cases ({} events) in {synth_secs:.1} s; imported {} persons and {} events into {} in {:.1} s; {} rows rejected.\n\n",
            totals.cases,
            totals.events,
            totals.persons,
            imported.events_stored(),
            db_path.display(),
            imported.seconds,
            imported.rejected()
        );
        out.push_str(&docket::show::report_text(&docket));
        out.push_str(&format!(
            "\nAudit ledger: {} leaves under a signed checkpoint; `{exe} --db {url} ledger verify` rechecks it.\n\n",
            cp.size
        ));
        out.push_str(&format!(
            "Look at a case:  {exe} --db {url} --actor {who} case show {} --purpose case_work\n                 {exe} --db {url} --actor {who} case timeline {} --purpose case_work\n",
            synth::case_id(0),
            synth::case_id(0)
        ));
        docket::out::print(&out)?;
    }
    if imported.rejected() > 0 {
        bail!("{} synthetic rows were rejected; see {}", imported.rejected(), rejects.display());
    }
    Ok(())
}
