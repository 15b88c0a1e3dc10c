//! Writes the pairs a link job keeps, with the level and weight of every comparison: the data
//! for studying a model's errors (`bench/link/supervised.py` reads it).
//!
//! ```sh
//! cargo run --release -p docket-link --example scored_pairs -- SETTINGS A.csv B.csv OUT.csv
//! ```
//!
//! The pairs are those of the settings' threshold after the one-to-one assignment, best first;
//! give the settings `policy = "probability"` with a low `probability` to see the doubtful
//! ones too. Columns: `id_a,id_b,p,w`, each comparison's level, then each comparison's weight
//! (`NAME_w`).

use std::io::Write;

use docket_link::settings::Settings;
use docket_link::table::Records;
use docket_link::{compare, link, model};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [settings, a, b, out] = <[String; 4]>::try_from(args).map_err(|_| "give SETTINGS A.csv B.csv OUT.csv")?;
    let settings = Settings::from_file(settings.as_ref())?;
    let records = Records::read(&settings, &[a.as_ref(), b.as_ref()])?;
    let result = link::run(&settings, &records, None, None, &mut |_, _, _| {});
    eprintln!("{} pairs at match probability >= {}", result.accepted.len(), result.threshold);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&out)?);
    write!(out, "id_a,id_b,p,w")?;
    for c in &settings.comparisons {
        write!(out, ",{}", c.name)?;
    }
    for c in &settings.comparisons {
        write!(out, ",{}_w", c.name)?;
    }
    writeln!(out)?;
    for p in &result.accepted {
        let (a, b) = (p.a as usize, p.b as usize);
        write!(out, "{},{},{:.6},{:.3}", records.ids[a], records.ids[b], p.probability(), p.weight)?;
        for c in 0..settings.comparisons.len() {
            let level = model::level_name(&settings, c, compare::level_of(p.pattern, c));
            write!(out, ",{}", level.replace(',', ";"))?;
        }
        for c in &link::explain(&settings, &records, &result.weights, a, b).comparisons {
            write!(out, ",{:.3}", c.weight)?;
        }
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}
