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
    /// `manifest` only: the share of B rows that are A persons.
    pub match_share: f64,
    /// `febrl` only: write one table holding originals and duplicates instead of two tables.
    pub dedupe: bool,
    /// Worker threads (the output does not depend on it).
    pub threads: usize,
}

impl LinkDataOptions {
    /// The default options of `kind`: FEBRL 4's 5,000 × 5,000 rows, or 1,000,000 docket persons
    /// and 350,000 travellers of whom 2% are docket persons.
    pub fn new(kind: LinkDataKind) -> Self {
        let (rows_a, rows_b) = match kind {
            LinkDataKind::Febrl => (5_000, 5_000),
            LinkDataKind::Manifest => (1_000_000, 350_000),
        };
        Self { kind, rows_a, rows_b, seed: 1, match_share: 0.02, dedupe: false, threads: 1 }
    }

    /// Refuses options that cannot be satisfied, before any file is written.
    fn check(&self) -> Result<()> {
        match self.kind {
            LinkDataKind::Febrl => {
                if self.rows_b > self.rows_a {
                    bail!(
                        "`--rows-b {}` exceeds `--rows-a {}`: every duplicate copies a distinct original",
                        self.rows_b,
                        self.rows_a
                    );
                }
                if self.rows_a > febrl::MAX_ORIGINALS {
                    bail!(
                        "`--rows-a {}` exceeds {}: social security numbers are 7 digits and unique per original",
                        self.rows_a,
                        febrl::MAX_ORIGINALS
                    );
                }
            }
            LinkDataKind::Manifest => {
                if !(0.0..=1.0).contains(&self.match_share) {
                    bail!("`--match-share {}` is not between 0 and 1", self.match_share);
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
        for (kind, dedupe) in
            [(LinkDataKind::Febrl, false), (LinkDataKind::Febrl, true), (LinkDataKind::Manifest, false)]
        {
            // More rows than one chunk, so that several threads take part.
            let opts = |threads| LinkDataOptions {
                rows_a: 20_000,
                rows_b: 9_000,
                match_share: 0.1,
                dedupe,
                threads,
                ..LinkDataOptions::new(kind)
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
