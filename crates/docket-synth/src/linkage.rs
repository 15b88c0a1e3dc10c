//! Seeded, deterministic test data for record linkage: two tables that describe partly the
//! same people, and a truth file saying which rows are the same person.
//!
//! Two kinds, chosen by [`LinkDataKind`]:
//!
//! - **`febrl`**: FEBRL-style records (the layout of the FEBRL 4 benchmark: name, a fictitious
//!   Australian address, date of birth, social security number). Table A holds the originals,
//!   every row of table B is a perturbed copy of a distinct A row, and both are shuffled. With
//!   `dedupe`, originals and duplicates go into one shuffled table instead.
//! - **`manifest`**: table A is docket persons (the same persons, with the same ids, as
//!   `docket synth` writes with the same seed), table B travellers on departure manifests. A
//!   share of B (2% by default) are A persons as a manifest records them; the others are
//!   different people, among them twins, siblings and namesakes of A persons.
//!
//! The columns, every perturbation and its rate are documented in `docs/linkage-data.md`;
//! `febrl.rs` and `manifest.rs` hold the constants the document quotes.
//!
//! # Determinism
//! The files are a pure function of the options other than `threads`. Each record is
//! generated from its own random stream ([`Rng::for_item`] keyed by the seed, a domain and
//! the person's index), and the row order is a seeded permutation of the indices
//! ([`Shuffle`]), so any row can be computed on its own: rows are generated in chunks on all
//! threads and written in order, in memory bounded by a few chunks whatever the size. A
//! person's records do not depend on the table sizes either: person `i` is the same in a
//! table of 10 rows and in one of 10 million; only which persons appear, and where, changes.

mod febrl;
mod manifest;
mod typo;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use anyhow::{Context, Result, bail};

use super::people::{Rng, mix};

/// Rows generated per chunk handed between threads.
const CHUNK: u64 = 8192;

/// What kind of linkage data to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkDataKind {
    /// FEBRL-style person records with fictitious addresses; B rows are perturbed copies of A rows.
    Febrl,
    /// Docket persons (A) and departure-manifest travellers (B), a share of whom are A persons.
    Manifest,
}

/// Who the non-matching rows of table B are, and how names are written, where a variant of the
/// data departs from its kind's defaults (`None`: the kind's default). Shares of near misses
/// are of the non-matching B rows; shifted names are a share of all B rows. Documented in
/// `docs/linkage-data.md`, "Variants".
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct VariantShares {
    /// Relatives of an A person: for `febrl` the same surname and every address field, another
    /// given name, date of birth and identifier; for `manifest` siblings (same family names
    /// and nationality, born 1–8 years apart). Defaults: `febrl` 0, `manifest` 0.015.
    pub relatives: Option<f64>,
    /// Twins of an A person: a relative born the same day. Defaults: `febrl` 0, `manifest` 0.015.
    pub twins: Option<f64>,
    /// Namesakes of an A person: the same given name and surname, born another day; for
    /// `febrl` living elsewhere. Defaults: `febrl` 0, `manifest` 0.025.
    pub namesakes: Option<f64>,
    /// `febrl` only: members of an A person's household, the same address under another
    /// surname, given name, date of birth and identifier. Default 0.
    pub households: Option<f64>,
    /// `manifest` only: the share of travellers recorded with another nationality and that
    /// country's passport (matching or not). Default 0.03.
    pub dual_nationals: Option<f64>,
    /// The share of B rows (matching or not) whose name fields are shifted: a name moved
    /// across the boundary between the given and family names. Default 0.
    pub shifted_names: Option<f64>,
}

/// Named variants of the data: each sets some [`VariantShares`] (and, for `febrl`, a match
/// share); options given beside it override its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The kind's defaults: the data the benchmarks before variants were measured on.
    Default,
    /// `febrl`: half the B rows match, 10% of the others are relatives of an A person;
    /// `manifest`: 10% of the non-matching travellers are siblings.
    Relatives,
    /// 5% of the non-matching B rows are twins (`febrl`: half the B rows match).
    Twins,
    /// 10% of the non-matching B rows are namesakes (`febrl`: half the B rows match).
    Namesakes,
    /// `febrl` only: half the B rows match, 10% of the others live in an A person's household.
    Households,
    /// `manifest` only: 15% of travellers are dual nationals on their other passport.
    DualNationals,
    /// 5% of B rows have shifted name fields.
    ShiftedNames,
    /// Every kind of near miss at once, at lower rates: the held-out variant, on which no
    /// setting or weight of the linker is to be tuned.
    Mixed,
}

impl Variant {
    /// Every variant with its name, as `--variant` takes it.
    pub const ALL: [(&'static str, Variant); 8] = [
        ("default", Variant::Default),
        ("relatives", Variant::Relatives),
        ("twins", Variant::Twins),
        ("namesakes", Variant::Namesakes),
        ("households", Variant::Households),
        ("dual-nationals", Variant::DualNationals),
        ("shifted-names", Variant::ShiftedNames),
        ("mixed", Variant::Mixed),
    ];

    /// The variant's name.
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|v| v.1 == self).map_or("default", |v| v.0)
    }

    /// Sets the variant's shares (and `febrl` match share) in `opts`, or refuses a variant that
    /// does not apply to `opts.kind`.
    pub fn apply(self, opts: &mut LinkDataOptions) -> Result<()> {
        let febrl = opts.kind == LinkDataKind::Febrl;
        let s = &mut opts.shares;
        // FEBRL's B rows are all duplicates by default; a variant with near misses needs rows
        // that are not.
        let mut half = || {
            if febrl {
                opts.match_share = 0.5;
            }
        };
        match self {
            Variant::Default => {}
            Variant::Relatives => {
                half();
                s.relatives = Some(0.10);
            }
            Variant::Twins => {
                half();
                s.twins = Some(0.05);
            }
            Variant::Namesakes => {
                half();
                s.namesakes = Some(0.10);
            }
            Variant::Households if febrl => {
                half();
                s.households = Some(0.10);
            }
            Variant::Households => {
                bail!("`--variant households` applies to `--kind febrl` only: manifests have no address")
            }
            Variant::DualNationals if !febrl => s.dual_nationals = Some(0.15),
            Variant::DualNationals => {
                bail!("`--variant dual-nationals` applies to `--kind manifest` only: febrl records have no nationality")
            }
            Variant::ShiftedNames => s.shifted_names = Some(0.05),
            Variant::Mixed => {
                half();
                s.relatives = Some(0.05);
                s.twins = Some(0.03);
                s.namesakes = Some(0.05);
                s.shifted_names = Some(0.03);
                if febrl {
                    s.households = Some(0.05);
                } else {
                    s.dual_nationals = Some(0.06);
                }
            }
        }
        Ok(())
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkDataOptions {
    /// The kind of data.
    pub kind: LinkDataKind,
    /// Rows of table A (for `febrl`: the originals).
    pub rows_a: u64,
    /// Rows of table B (for `febrl`: the duplicates, at most `rows_a`).
    pub rows_b: u64,
    /// Seed: the same options give byte-identical files.
    pub seed: u64,
    /// The share of B rows that are A persons (`febrl`: 1 by default, every B row a duplicate;
    /// `manifest`: 0.02).
    pub match_share: f64,
    /// `febrl` only: write one table holding originals and duplicates instead of two tables.
    pub dedupe: bool,
    /// Near misses and name recording beyond the kind's defaults.
    pub shares: VariantShares,
    /// Worker threads (the output does not depend on it).
    pub threads: usize,
}

impl LinkDataOptions {
    /// The default options of `kind`: FEBRL 4's 5,000 × 5,000 rows, every B row a duplicate, or
    /// 1,000,000 docket persons and 350,000 travellers of whom 2% are docket persons.
    pub fn new(kind: LinkDataKind) -> Self {
        let (rows_a, rows_b, match_share) = match kind {
            LinkDataKind::Febrl => (5_000, 5_000, 1.0),
            LinkDataKind::Manifest => (1_000_000, 350_000, 0.02),
        };
        Self { kind, rows_a, rows_b, seed: 1, match_share, dedupe: false, shares: VariantShares::default(), threads: 1 }
    }

    /// Refuses options that cannot be satisfied, before any file is written.
    fn check(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.match_share) {
            bail!("`--match-share {}` is not between 0 and 1", self.match_share);
        }
        let s = &self.shares;
        let shares = [
            ("relatives", s.relatives),
            ("twins", s.twins),
            ("namesakes", s.namesakes),
            ("households", s.households),
            ("dual-nationals", s.dual_nationals),
            ("shifted-names", s.shifted_names),
        ];
        for (name, share) in shares {
            if let Some(x) = share.filter(|x| !(0.0..=1.0).contains(x)) {
                bail!("`--{name}-share {x}` is not between 0 and 1");
            }
        }
        let near: f64 = shares[..4].iter().filter_map(|s| s.1).sum();
        if near > 1.0 + 1e-9 {
            bail!(
                "the shares of relatives, twins, namesakes and households add up to {near}: they are shares of the \
                 same non-matching rows, so at most 1"
            );
        }
        match self.kind {
            LinkDataKind::Febrl => {
                if s.dual_nationals.is_some() {
                    bail!(
                        "`--dual-nationals-share` applies to `--kind manifest` only: febrl records have no nationality"
                    );
                }
                if self.dedupe && (self.match_share < 1.0 || s.shifted_names.is_some() || near > 0.0) {
                    bail!("`--dedupe` takes no variant: its table holds originals and their duplicates only");
                }
                if self.rows_a > febrl::MAX_ORIGINALS {
                    bail!(
                        "`--rows-a {}` exceeds {}: social security numbers are 7 digits and unique per original",
                        self.rows_a,
                        febrl::MAX_ORIGINALS
                    );
                }
                let matches = febrl::match_count(self);
                if self.match_share >= 1.0 && self.rows_b > self.rows_a {
                    bail!(
                        "`--rows-b {}` exceeds `--rows-a {}`: every duplicate copies a distinct original",
                        self.rows_b,
                        self.rows_a
                    );
                }
                if matches > self.rows_a {
                    bail!(
                        "`--match-share {}` of {} B rows is more than the {} originals of table A",
                        self.match_share,
                        self.rows_b,
                        self.rows_a
                    );
                }
                if self.rows_a + (self.rows_b - matches) > febrl::MAX_ORIGINALS {
                    bail!(
                        "{} originals and {} other persons exceed {}: social security numbers are 7 digits and unique \
                         per person",
                        self.rows_a,
                        self.rows_b - matches,
                        febrl::MAX_ORIGINALS
                    );
                }
            }
            LinkDataKind::Manifest => {
                if s.households.is_some() {
                    bail!("`--households-share` applies to `--kind febrl` only: manifests have no address");
                }
                if self.dedupe {
                    bail!("`--dedupe` applies to `--kind febrl` only");
                }
                if manifest::match_count(self) > self.rows_a {
                    bail!(
                        "`--match-share {}` of {} travellers is more than the {} persons of table A",
                        self.match_share,
                        self.rows_b,
                        self.rows_a
                    );
                }
            }
        }
        Ok(())
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkDataSummary {
    /// Each table written and its number of rows (header excluded).
    pub tables: Vec<(PathBuf, u64)>,
    /// The truth file.
    pub truth: PathBuf,
    /// Pairs in the truth file: rows that are the same person.
    pub true_pairs: u64,
    /// `manifest` only: who each traveller is relative to the docket (`travellers.csv`).
    pub travellers: Option<PathBuf>,
}

/// Writes the tables and `truth.csv` of `opts` into `out_dir` (created if missing; files of
/// the same names are replaced).
///
/// `febrl` writes `a.csv`, `b.csv` and `truth.csv` (`rec_id_a,rec_id_b`), or with `dedupe`
/// `records.csv` and `truth.csv` (`rec_id_1,rec_id_2`); `manifest` writes `a.csv`, `b.csv` and
/// `truth.csv` (`record_id_a,record_id_b`).
pub fn generate(opts: &LinkDataOptions, out_dir: &Path) -> Result<LinkDataSummary> {
    opts.check()?;
    std::fs::create_dir_all(out_dir).with_context(|| format!("cannot create `{}`", out_dir.display()))?;
    let summary = match opts.kind {
        LinkDataKind::Febrl if opts.dedupe => febrl::write_dedupe(opts, out_dir)?,
        LinkDataKind::Febrl => febrl::write_linkage(opts, out_dir)?,
        LinkDataKind::Manifest => manifest::write(opts, out_dir)?,
    };
    Ok(summary)
}

/// What [`departures`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeparturesSummary {
    /// `departures.jsonl`: one departure record a line.
    pub records: PathBuf,
    /// `departures-truth.csv`: who each traveller is (`record_id,who,person_id`).
    pub truth: PathBuf,
    /// Records written.
    pub rows: u64,
    /// Records of docket persons among them.
    pub matches: u64,
    /// Records the departure reader refuses, written as generated (a manifest's mistyped year
    /// of birth in the future): the feed must refuse them, naming the field.
    pub refused: u64,
}

/// Writes a day of departures for the synthetic docket of `opts.rows_a` persons (the persons
/// `docket synth` writes with `opts.seed`) into `out_dir`: `opts.rows_b` travellers of the
/// `manifest` kind, `opts.match_share` of them docket persons, as departure records
/// (`docs/formats.md`, "Departure records") departing on `day`, from `departures.jsonl`, with
/// who each one is in `departures-truth.csv`. Travellers are perturbed exactly as `link-data
/// --kind manifest` perturbs them (renewed passports, transliterations, dropped surnames,
/// swapped days and months, dual nationals, twins, siblings and namesakes); the variants apply.
pub fn departures(opts: &LinkDataOptions, day: docket_core::Date, out_dir: &Path) -> Result<DeparturesSummary> {
    if opts.kind != LinkDataKind::Manifest {
        bail!("departures are of the `manifest` kind");
    }
    opts.check()?;
    std::fs::create_dir_all(out_dir).with_context(|| format!("cannot create `{}`", out_dir.display()))?;
    manifest::write_departures(opts, day, out_dir)
}

/// A buffered file writer in `dir`, with the path in its errors.
struct OutFile {
    path: PathBuf,
    file: std::io::BufWriter<std::fs::File>,
}

impl OutFile {
    fn create(dir: &Path, name: &str) -> Result<Self> {
        let path = dir.join(name);
        // Synthetic, but in the shape of person records: created as those are, owner-only.
        let f =
            docket_wire::owner_only::create(&path).with_context(|| format!("cannot create `{}`", path.display()))?;
        Ok(Self { path, file: std::io::BufWriter::with_capacity(1 << 20, f) })
    }

    fn header(&mut self, columns: &[&str]) -> Result<()> {
        writeln!(self.file, "{}", columns.join(",")).with_context(|| format!("writing `{}`", self.path.display()))
    }

    fn finish(mut self) -> Result<PathBuf> {
        self.file.flush().with_context(|| format!("writing `{}`", self.path.display()))?;
        Ok(self.path)
    }
}

/// Generates rows `0..rows` with `render` (which appends row `i` to its `K` buffers) in chunks on
/// `threads` threads, and writes the buffers to `outs` in row order.
fn stream<const K: usize>(
    rows: u64,
    threads: usize,
    render: &(dyn Fn(u64, &mut [Vec<u8>; K]) + Sync),
    outs: &mut [&mut OutFile; K],
) -> Result<()> {
    let chunks = rows.div_ceil(CHUNK);
    let threads = (threads.max(1) as u64).min(chunks.max(1));
    std::thread::scope(|scope| -> Result<()> {
        // One bounded channel per worker; worker w makes chunks w, w + threads, ... so taking
        // them round-robin restores the row order.
        let mut receivers = Vec::new();
        for w in 0..threads {
            let (tx, rx) = mpsc::sync_channel::<[Vec<u8>; K]>(2);
            receivers.push(rx);
            scope.spawn(move || {
                let mut c = w;
                while c < chunks {
                    let mut bufs: [Vec<u8>; K] = std::array::from_fn(|_| Vec::with_capacity(CHUNK as usize * 96));
                    for i in c * CHUNK..((c + 1) * CHUNK).min(rows) {
                        render(i, &mut bufs);
                    }
                    if tx.send(bufs).is_err() {
                        return;
                    }
                    c += threads;
                }
            });
        }
        for c in 0..chunks {
            let rx = &receivers[(c % threads) as usize];
            let Ok(bufs) = rx.recv() else { bail!("a generator thread stopped early") };
            for (out, buf) in outs.iter_mut().zip(bufs) {
                out.file.write_all(&buf).with_context(|| format!("writing `{}`", out.path.display()))?;
            }
        }
        Ok(())
    })
}

/// Appends one CSV row and a newline, quoting a field only where RFC 4180 requires.
fn csv_row(out: &mut Vec<u8>, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if f.contains([',', '"', '\n', '\r']) {
            out.push(b'"');
            out.extend_from_slice(f.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(f.as_bytes());
        }
    }
    out.push(b'\n');
}

/// A seeded permutation of `0..n`: a four-round Feistel network on the smallest even number
/// of bits that holds `n`, with cycle walking for values `>= n` (at most four steps on
/// average, since the network's domain is less than `4n`).
#[derive(Debug, Clone)]
struct Shuffle {
    n: u64,
    half: u32,
    mask: u64,
    keys: [u64; 4],
}

impl Shuffle {
    fn new(seed: u64, domain: u64, n: u64) -> Self {
        let bits = (64 - n.saturating_sub(1).leading_zeros()).max(2);
        let half = bits.div_ceil(2);
        let mut rng = Rng::for_item(seed, domain, n);
        let keys = [rng.next_u64(), rng.next_u64(), rng.next_u64(), rng.next_u64()];
        Self { n, half, mask: (1u64 << half) - 1, keys }
    }

    /// The image of `i`, which must be below `n`.
    fn at(&self, i: u64) -> u64 {
        // INVARIANT: callers pass `i < n`. From there the walk ends, on the cycle through `i`;
        // from outside `0..n` it might not, so such an `i` is returned as it is.
        debug_assert!(i < self.n, "{i} is outside 0..{}", self.n);
        if i >= self.n {
            return i;
        }
        let mut x = i;
        loop {
            let (mut l, mut r) = (x >> self.half, x & self.mask);
            for k in self.keys {
                (l, r) = (r, l ^ (mix(r ^ k) & self.mask));
            }
            x = (l << self.half) | r;
            if x < self.n {
                return x;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    proptest::proptest! {
        #[test]
        fn a_shuffle_of_any_size_is_a_permutation(seed: u64, n in 1u64..3_000) {
            let s = Shuffle::new(seed, 9, n);
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let x = s.at(i);
                proptest::prop_assert!(x < n && !seen[x as usize], "{} maps onto a taken or outside value {}", i, x);
                seen[x as usize] = true;
            }
        }
    }

    #[test]
    fn shuffles_are_permutations() {
        for n in [1u64, 2, 3, 4, 5, 17, 64, 65, 1000, 4097] {
            for seed in 0..3 {
                let s = Shuffle::new(seed, 9, n);
                let seen: HashSet<u64> = (0..n).map(|i| s.at(i)).collect();
                assert_eq!(seen.len() as u64, n, "n = {n}, seed = {seed}");
                assert!(seen.iter().all(|&x| x < n));
            }
        }
        let (a, b) = (Shuffle::new(1, 9, 1000), Shuffle::new(2, 9, 1000));
        assert!((0..1000).filter(|&i| a.at(i) != b.at(i)).count() > 950);
        // A shuffle moves almost everything: the order is not the index order.
        assert!((0..1000).filter(|&i| a.at(i) == i).count() < 10);
    }

    /// Every file `generate` writes for `opts`, by name.
    fn files(opts: &LinkDataOptions) -> Vec<(String, Vec<u8>)> {
        let dir = tempfile::tempdir().expect("temp dir");
        let summary = generate(opts, dir.path()).expect("generate");
        let mut paths: Vec<PathBuf> = summary.tables.into_iter().map(|t| t.0).collect();
        paths.push(summary.truth);
        paths
            .iter()
            .map(|p| {
                (
                    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                    std::fs::read(p).expect("read"),
                )
            })
            .collect()
    }

    #[test]
    fn output_does_not_depend_on_thread_count() {
        for (kind, dedupe, variant) in [
            (LinkDataKind::Febrl, false, Variant::Default),
            (LinkDataKind::Febrl, true, Variant::Default),
            (LinkDataKind::Manifest, false, Variant::Default),
            (LinkDataKind::Febrl, false, Variant::Mixed),
            (LinkDataKind::Manifest, false, Variant::Mixed),
        ] {
            // More rows than one chunk, so that several threads take part.
            let opts = |threads| {
                let mut o =
                    LinkDataOptions { rows_a: 20_000, rows_b: 9_000, dedupe, threads, ..LinkDataOptions::new(kind) };
                if kind == LinkDataKind::Manifest {
                    o.match_share = 0.1;
                }
                variant.apply(&mut o).expect("a variant of the kind");
                o
            };
            let (one, three) = (files(&opts(1)), files(&opts(3)));
            assert_eq!(one.len(), if dedupe { 2 } else { 3 });
            for ((name, a), (_, b)) in one.iter().zip(&three) {
                assert!(a == b, "{kind:?} {name} differs between 1 and 3 threads");
            }
        }
    }

    #[test]
    fn csv_rows_quote_only_where_needed() {
        let mut out = Vec::new();
        csv_row(&mut out, &["a", "b, c", "say \"hi\"", ""]);
        assert_eq!(String::from_utf8_lossy(&out), "a,\"b, c\",\"say \"\"hi\"\"\",\n");
    }

    #[test]
    fn impossible_options_are_refused() {
        let mut o = LinkDataOptions::new(LinkDataKind::Febrl);
        o.rows_b = o.rows_a + 1;
        assert!(o.check().is_err());
        let mut o = LinkDataOptions::new(LinkDataKind::Manifest);
        o.match_share = 1.5;
        assert!(o.check().is_err());
        o.match_share = 1.0;
        o.rows_a = 10;
        o.rows_b = 11;
        assert!(o.check().is_err());
        o.rows_b = 10;
        assert!(o.check().is_ok());
        o.dedupe = true;
        assert!(o.check().is_err());
    }
}
