#!/usr/bin/env python3
"""Link two CSV files with Splink 5 (DuckDB backend), the reference tool for `bench/link.sh`.

    splink_link.py --kind febrl|manifest --a A.csv --b B.csv --id COL --out links.csv
    splink_link.py --kind manifest --a A.csv --b B.csv --id-a COL_A --id-b COL_B --out links.csv

It trains an unsupervised Fellegi-Sunter model (no labels are used), scores every pair that
the prediction blocking rules generate, and writes them all as

    id_a,id_b,match_probability

(one row per pair, id_a from --a, id_b from --b), so that `evaluate.py` can apply Splink's
own threshold (0.5) and also sweep every threshold. Phase timings go to stderr as lines
`splink phase NAME: SECONDS s`.

Settings kinds:

* `febrl`: the "detailed model" of Splink's FEBRL4 link-only example
  (docs/demos/examples/duckdb/febrl4.nb.py, the jupytext twin of febrl4.ipynb, in
  moj-analytical-services/splink at commit 02d29dce5243937f4e84672d0707e34791cbdf0d, a
  version already written for the Splink 5 API: `db_api.register(...)`,
  `Linker(dfs, settings)`), reproduced as it stands,
  including its data preparation. Deviations, each marked `DEVIATION` below:
    - the data is read from the given CSV files, not downloaded through `splink_datasets`
      (no network here); it is read as text with empty values as NULL, as Splink's copy
      arrives, and then prepared with the example's SQL (see `febrl_load`);
    - the helper `cluster` column is not built: it serves only the notebook's own accuracy
      charts, and evaluation here is done by `evaluate.py` against the truth file;
    - `retain_intermediate_calculation_columns` is left off: it only feeds the notebook's
      waterfall charts and makes the prediction table wider, not different in score;
    - u sampling gets a fixed seed, so reruns give the same model (the example has none);
    - predictions are made without a threshold (the example uses 0.2 only to show a
      few rows) so that the whole threshold curve can be evaluated.

* `febrl-extended`: the same example's "extended model" from its "Further refinements"
  section: one full-name comparison that also scores swapped and cross-matched names, plus
  edit-distance levels on street number, and u sampled from 1e7 pairs. It is the best model
  the example arrives at; the deviations are those of `febrl`.

* `manifest`: person records `record_id,given_names,family_names,date_of_birth,sex,
  nationality,document_number`, with ISO dates that may be partial (`1980-00-00`: unknown
  month and day). These settings are our own, written the way Splink's documentation
  suggests for person data; see `manifest_model` below.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb
import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

# Table names for the two inputs; Splink's `source_dataset` column carries them, which is how
# the output tells which id came from A.
SOURCE_A = "a"
SOURCE_B = "b"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Phases:
    """Wall time of each phase, printed as it ends."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        log(f"splink phase {name}: {now - self.last:.2f} s")
        self.last = now

    def total(self) -> None:
        log(f"splink phase total (in python): {time.perf_counter() - self.start:.2f} s")


def run(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """Execute and fetch everything: DuckDB 2 refuses further work on a connection while a
    result is still unread, and Splink shares this connection."""
    return con.execute(sql).fetchall()


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def rename_id(con: duckdb.DuckDBPyConnection, table: str, id_col: str, unique_id: str) -> None:
    """Give the id column the name the settings use (Splink wants one name on both sides)."""
    columns = [row[0] for row in run(con, f"DESCRIBE {table}")]
    if id_col not in columns:
        raise SystemExit(f"id column {id_col!r} not in {table}: {columns}")
    if id_col == unique_id:
        return
    if unique_id in columns:
        raise SystemExit(f"{table} already has a column {unique_id!r} besides id {id_col!r}")
    run(con, f'ALTER TABLE {table} RENAME COLUMN "{id_col}" TO "{unique_id}"')


# --- febrl: Splink's FEBRL4 example -------------------------------------------------------


def febrl_load(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> None:
    # DEVIATION (source only): the example reads Splink's own copy of the FEBRL files through
    # `splink_datasets` (pyarrow, empty strings as NULL). That copy evidently keeps FEBRL's
    # blank padding, so its columns arrive as text: the example strips column names and
    # trims values, and its extended model runs Damerau-Levenshtein on street_number, which
    # DuckDB only accepts on text. Our file is already clean, so pyarrow would make integers
    # of street_number and postcode (dropping leading zeros, and breaking the extended
    # model); reading every column as text, empty as NULL, gives the columns the example had.
    run(
        con,
        f"""
        CREATE TABLE {table}_raw AS
        FROM read_csv({sql_string(str(path))}, all_varchar = true, header = true)
        """,
    )
    # The example's prepare_data, less the `cluster` column (see the module docstring).
    run(
        con,
        f"""
        CREATE TABLE {table} AS
        SELECT * REPLACE (
            trim(CAST(date_of_birth AS VARCHAR)) AS date_of_birth,
            trim(CAST(soc_sec_id AS VARCHAR)) AS soc_sec_id,
            trim(CAST(postcode AS VARCHAR)) AS postcode
        )
        FROM {table}_raw
        """,
    )
    run(con, f"DROP TABLE {table}_raw")


def febrl_blocking_rules() -> list:
    """The example's prediction blocking rules, shared by its detailed and extended models."""
    return [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]


def febrl_deterministic_rules() -> list:
    """The example's rules for estimating the probability that two random records match."""
    return [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")]


def febrl_model(unique_id: str) -> tuple[SettingsCreator, callable]:
    settings = SettingsCreator(
        unique_id_column_name=unique_id,
        link_type="link_only",
        blocking_rules_to_generate_predictions=febrl_blocking_rules(),
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
        # DEVIATION: retain_intermediate_calculation_columns=True dropped (charts only).
    )

    def train(linker: Linker, phases: Phases, seed: int | None) -> None:
        linker.training.estimate_probability_two_random_records_match(
            febrl_deterministic_rules(), recall=0.8
        )
        phases.done("estimate lambda (deterministic rules)")
        # As the example: max_pairs=1e6. DEVIATION: a fixed seed.
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=seed)
        phases.done("estimate u (random sampling, 1e6 pairs)")
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("date_of_birth"), estimate_without_term_frequencies=True
        )
        phases.done("EM on date_of_birth")
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("postcode"), estimate_without_term_frequencies=True
        )
        phases.done("EM on postcode")

    return settings, train


def febrl_extended_load(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> None:
    febrl_load(con, path, table)
    # The example appends full_name so that it can carry term frequency adjustments.
    run(con, f"ALTER TABLE {table} ADD COLUMN full_name VARCHAR")
    run(con, f"UPDATE {table} SET full_name = given_name || '_' || surname")


def febrl_extended_model(unique_id: str) -> tuple[dict, callable]:
    jw_swapped = (
        "jaro_winkler_similarity(given_name_l, surname_r)"
        " + jaro_winkler_similarity(surname_l, given_name_r) >= {}"
    )
    settings = {
        "unique_id_column_name": unique_id,
        "link_type": "link_only",
        "blocking_rules_to_generate_predictions": febrl_blocking_rules(),
        "comparisons": [
            {
                "output_column_name": "Full name",
                "comparison_levels": [
                    {
                        "sql_condition": "(given_name_l IS NULL OR given_name_r IS NULL)"
                        " and (surname_l IS NULL OR surname_r IS NULL)",
                        "label_for_charts": "Null",
                        "is_null_level": True,
                    },
                    cll.ExactMatchLevel("full_name", term_frequency_adjustments=True),
                    cll.JaroWinklerLevel("full_name", 0.9),
                    cll.JaroWinklerLevel("full_name", 0.7),
                    cll.ColumnsReversedLevel("given_name", "surname"),
                    {
                        "sql_condition": jw_swapped.format("1.8"),
                        "label_for_charts": "switched + jaro_winkler_similarity >= 1.8",
                    },
                    {
                        "sql_condition": jw_swapped.format("1.4"),
                        "label_for_charts": "switched + jaro_winkler_similarity >= 1.4",
                    },
                    cll.ExactMatchLevel("given_name", term_frequency_adjustments=True),
                    cll.ExactMatchLevel("surname", term_frequency_adjustments=True),
                    {
                        "sql_condition": "given_name_l = surname_r OR surname_l = given_name_r",
                        "label_for_charts": "single name cross-matches",
                    },
                    cll.JaroWinklerLevel("given_name", 0.9),
                    cll.JaroWinklerLevel("surname", 0.9),
                    cll.ElseLevel(),
                ],
            },
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            {
                "output_column_name": "Social security ID",
                "comparison_levels": [
                    cll.NullLevel("soc_sec_id"),
                    cll.ExactMatchLevel("soc_sec_id", term_frequency_adjustments=True),
                    cll.DamerauLevenshteinLevel("soc_sec_id", 1),
                    cll.DamerauLevenshteinLevel("soc_sec_id", 2),
                    cll.ElseLevel(),
                ],
            },
            {
                "output_column_name": "Street number",
                "comparison_levels": [
                    cll.NullLevel("street_number"),
                    cll.ExactMatchLevel("street_number", term_frequency_adjustments=True),
                    cll.DamerauLevenshteinLevel("street_number", 1),
                    cll.ElseLevel(),
                ],
            },
            {
                "output_column_name": "Postcode",
                "comparison_levels": [
                    cll.NullLevel("postcode"),
                    cll.ExactMatchLevel("postcode", term_frequency_adjustments=True),
                    cll.DamerauLevenshteinLevel("postcode", 1),
                    cll.DamerauLevenshteinLevel("postcode", 2),
                    cll.ElseLevel(),
                ],
            },
        ],
        # DEVIATION: retain_intermediate_calculation_columns=True dropped (charts only).
    }

    def train(linker: Linker, phases: Phases, seed: int | None) -> None:
        linker.training.estimate_probability_two_random_records_match(
            febrl_deterministic_rules(), recall=0.8
        )
        phases.done("estimate lambda (deterministic rules)")
        # As the example: max_pairs=1e7. DEVIATION: a fixed seed.
        linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=seed)
        phases.done("estimate u (random sampling, 1e7 pairs)")
        linker.training.estimate_parameters_using_expectation_maximisation(
            "l.date_of_birth = r.date_of_birth", estimate_without_term_frequencies=True
        )
        phases.done("EM on date_of_birth")
        linker.training.estimate_parameters_using_expectation_maximisation(
            "l.postcode = r.postcode", estimate_without_term_frequencies=True
        )
        phases.done("EM on postcode")

    return settings, train


# --- manifest: our own settings for passenger-manifest-like person records ----------------


def manifest_load(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> None:
    # Everything as text (ids, document numbers and dates keep their leading zeros), empty as
    # NULL; the light cleaning any Splink user would do first: names lower case without
    # accents and with single spaces, document numbers upper case alphanumerics only.
    run(
        con,
        f"""
        CREATE TABLE {table} AS
        SELECT * REPLACE (
            nullif(regexp_replace(lower(strip_accents(trim(given_names))), '\\s+', ' ', 'g'), '')
                AS given_names,
            nullif(regexp_replace(lower(strip_accents(trim(family_names))), '\\s+', ' ', 'g'), '')
                AS family_names,
            nullif(trim(date_of_birth), '') AS date_of_birth,
            nullif(upper(trim(sex)), '') AS sex,
            nullif(upper(trim(nationality)), '') AS nationality,
            nullif(regexp_replace(upper(document_number), '[^A-Z0-9]', '', 'g'), '')
                AS document_number
        ),
        nullif(substr(trim(date_of_birth), 1, 4), '') AS dob_year
        FROM read_csv({sql_string(str(path))}, all_varchar = true, header = true)
        """,
    )


def manifest_model(unique_id: str) -> tuple[SettingsCreator, callable]:
    # Dates of birth are strings, possibly partial (`1980-00-00`, `1980-07-00`).
    # DateOfBirthComparison would turn every partial date into NULL (no evidence at all), so
    # the levels are spelled out: the same string (a shared partial date counts too); the same
    # year and month with the day unknown on a side; the same year with the month unknown on
    # a side; one typo or transposed digit pair; the same year; anything else. The partial
    # levels come before the typo level so that `1980-07-00` against `1980-07-14` counts as
    # "day unknown", not as a typo.
    dob = cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_levels=[
            cll.NullLevel("date_of_birth"),
            cll.ExactMatchLevel("date_of_birth"),
            cll.CustomLevel(
                "substr(date_of_birth_l, 1, 7) = substr(date_of_birth_r, 1, 7)"
                " and (substr(date_of_birth_l, 9, 2) = '00'"
                " or substr(date_of_birth_r, 9, 2) = '00')",
                "same year and month, day unknown on one side",
            ),
            cll.CustomLevel(
                "substr(date_of_birth_l, 1, 4) = substr(date_of_birth_r, 1, 4)"
                " and (substr(date_of_birth_l, 6, 2) = '00'"
                " or substr(date_of_birth_r, 6, 2) = '00')",
                "same year, month unknown on one side",
            ),
            cll.DamerauLevenshteinLevel("date_of_birth", 1),
            cll.CustomLevel(
                "substr(date_of_birth_l, 1, 4) = substr(date_of_birth_r, 1, 4)", "same year"
            ),
            cll.ElseLevel(),
        ],
    )
    settings = SettingsCreator(
        unique_id_column_name=unique_id,
        link_type="link_only",
        blocking_rules_to_generate_predictions=[
            block_on("family_names", "dob_year"),
            block_on("given_names", "date_of_birth"),
            block_on("document_number"),
            block_on("given_names", "family_names"),
            # names swapped between the two fields
            "l.given_names = r.family_names and l.family_names = r.given_names",
        ],
        comparisons=[
            cl.NameComparison("given_names").configure(term_frequency_adjustments=True),
            cl.NameComparison("family_names").configure(term_frequency_adjustments=True),
            dob,
            cl.ExactMatch("sex"),
            cl.ExactMatch("nationality").configure(term_frequency_adjustments=True),
            # Damerau-Levenshtein rather than plain Levenshtein: transposed characters are a
            # common keying error in document numbers and count as one edit here.
            cl.DamerauLevenshteinAtThresholds("document_number", [1, 2]),
        ],
    )

    def train(linker: Linker, phases: Phases, seed: int | None) -> None:
        linker.training.estimate_probability_two_random_records_match(
            [
                block_on("document_number"),
                block_on("given_names", "family_names", "date_of_birth"),
            ],
            recall=0.7,
        )
        phases.done("estimate lambda (deterministic rules)")
        # 1e7 pairs: the size Splink's docs call "often adequate".
        linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=seed)
        phases.done("estimate u (random sampling, 1e7 pairs)")
        # Two EM sessions whose blocking columns differ, so every comparison gets m values:
        # the first trains names, sex, nationality and document; the second dates of birth.
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("date_of_birth"), estimate_without_term_frequencies=True
        )
        phases.done("EM on date_of_birth")
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("family_names", "given_names"), estimate_without_term_frequencies=True
        )
        phases.done("EM on family_names + given_names")

    return settings, train


KINDS = {
    "febrl": (febrl_load, febrl_model, "rec_id"),
    "febrl-extended": (febrl_extended_load, febrl_extended_model, "rec_id"),
    "manifest": (manifest_load, manifest_model, "record_id"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", required=True, choices=sorted(KINDS))
    parser.add_argument("--a", required=True, type=Path, help="first CSV file")
    parser.add_argument("--b", required=True, type=Path, help="second CSV file")
    parser.add_argument("--id", help="unique id column, the same name in both files")
    parser.add_argument("--id-a", help="unique id column of --a (default: --id)")
    parser.add_argument("--id-b", help="unique id column of --b (default: --id)")
    parser.add_argument("--out", required=True, type=Path, help="links CSV to write")
    parser.add_argument(
        "--seed",
        type=int,
        default=42,
        help="seed of the u sampling (default 42; -1: unseeded, as in the example, faster)",
    )
    parser.add_argument(
        "--min-probability",
        type=float,
        default=0.0,
        help="drop scored pairs below this probability from --out (default 0: keep all)",
    )
    parser.add_argument("--verbose", action="store_true", help="Splink's INFO log to stderr")
    args = parser.parse_args()

    load, model, unique_id = KINDS[args.kind]
    id_a = args.id_a or args.id or unique_id
    id_b = args.id_b or args.id or unique_id
    log(f"splink {splink.__version__}, duckdb {duckdb.__version__}, kind {args.kind}")

    phases = Phases()
    db_api = DuckDBAPI()
    con = db_api.duckdb_con
    for path, table, id_col in ((args.a, SOURCE_A, id_a), (args.b, SOURCE_B, id_b)):
        load(con, path, table)
        rename_id(con, table, id_col, unique_id)
    rows = [run(con, f"SELECT count(*) FROM {t}")[0][0] for t in (SOURCE_A, SOURCE_B)]
    log(f"rows: {rows[0]} x {rows[1]}")
    inputs = [db_api.register(t, dataset_display_name=t) for t in (SOURCE_A, SOURCE_B)]
    phases.done("load")

    settings, train = model(unique_id)
    linker = Linker(inputs, settings, log_level=20 if args.verbose else 30)
    train(linker, phases, None if args.seed < 0 else args.seed)

    predictions = linker.inference.predict()
    phases.done("predict")

    # Splink orders each pair by source dataset; put the id from A first whichever side it is.
    table = predictions.physical_name
    args.out.parent.mkdir(parents=True, exist_ok=True)
    run(
        con,
        f"""
        COPY (
            SELECT
                CASE WHEN source_dataset_l = '{SOURCE_A}' THEN {unique_id}_l ELSE {unique_id}_r END
                    AS id_a,
                CASE WHEN source_dataset_l = '{SOURCE_A}' THEN {unique_id}_r ELSE {unique_id}_l END
                    AS id_b,
                match_probability
            FROM {table}
            WHERE match_probability >= {args.min_probability!r}
            ORDER BY match_probability DESC, id_a, id_b
        ) TO {sql_string(str(args.out))} (FORMAT csv, HEADER true)
        """,
    )
    pairs = run(con, f"SELECT count(*) FROM {table}")[0][0]
    log(f"scored pairs: {pairs}")
    phases.done("write links")
    phases.total()


if __name__ == "__main__":
    main()
