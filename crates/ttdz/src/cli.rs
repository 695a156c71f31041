use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// TTDZ: the platform for China's National S&T Achievement Transformation Demonstration Zones
/// (国家科技成果转化示范区, 国科发创〔2017〕304号).
#[derive(Debug, Parser)]
#[command(name = "ttdz", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes, before or after its name. Precedence: flag, then TTDZ_* environment
/// variable, then the config file, then the default.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalOptions {
    /// Folder for the embedded database and other files [default: ./ttdz-data]
    #[arg(long, global = true, env = "TTDZ_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite:PATH or postgres://USER@HOST[:PORT]/DB [default: the SQLite file ttdz.sqlite3 in the data dir]
    #[arg(long, global = true, env = "TTDZ_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// A TOML file with the same settings (data_dir, database_url, log, admin_token, [server] bind and port)
    #[arg(long, global = true, env = "TTDZ_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log filter, e.g. info or ttdz_web=debug [default: info]
    #[arg(long, global = true, env = "TTDZ_LOG", value_name = "FILTER")]
    pub log: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (API under /api/v1 and the HTML pages), migrating the database first unless --no-migrate
    Serve(ServeArgs),
    /// Bring the database schema and the shipped reference data up to date, then exit (the only command besides
    /// `serve` that changes the schema: the others refuse a database older than this build)
    Migrate,
    /// Demo data
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Load data files
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Print the OpenAPI document of the HTTP API
    Openapi,
    /// Run the background jobs (reminders 30 days before a report is due and 90 before a term ends) without serving;
    /// safe beside servers that run them too: each job runs once a day
    Worker,
    /// The change log: every committed write of data after a cursor, oldest first, one JSON object a line
    /// (cursor, kind, key, action, at); pass the last line's cursor to --since to read on
    Changes {
        /// The cursor of the last change already read; without it, from the start
        #[arg(long)]
        since: Option<String>,
        /// At most this many changes
        #[arg(long, default_value_t = 1000)]
        limit: u32,
    },
    /// Compute Annex 2 indicators from the stored values
    Indicators(IndicatorsArgs),
    /// Documents: the annual report of a zone
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// The search index of the published achievements and demands
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// Accounts
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Build a composite index from files in COINr's shape (iData, iMeta) with the pipeline of --pipeline; it uses
    /// no database and no platform settings.
    Evaluate(EvaluateArgs),
    /// Write the Excel reporting template of a zone and year (import it back with `ttdz import template`)
    Template {
        #[arg(long)]
        zone: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input (never from the command line)
    Add {
        #[arg(long)]
        username: String,
        /// ministry, province, expert, institution, registrar or broker
        #[arg(long)]
        role: String,
        /// A province user's province, e.g. 320000
        #[arg(long)]
        province: Option<String>,
        /// An institution's, registrar's or broker's division
        #[arg(long)]
        division: Option<String>,
        #[arg(long)]
        zone: Option<String>,
        /// Read the password from standard input (required)
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List the accounts
    List,
    /// Disable an account: it can no longer log in, and its sessions stop at once
    Disable { username: String },
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The pipeline (TOML: [impute] [screen] [treat] [normalise] [aggregate] [uncertainty])
    #[arg(long, value_name = "FILE")]
    pub pipeline: PathBuf,
    /// iData: uCode, groups, Time, denominators and one column per indicator
    #[arg(long)]
    pub data: PathBuf,
    /// iMeta: Level, iCode, Direction, Weight, Target, Denominator, Parent, Type
    #[arg(long)]
    pub meta: PathBuf,
    /// Long CSV `uCode,iCode,score,rank` for every aggregate; written only when everything succeeded
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct IndicatorsArgs {
    /// A zone key, or `all` [default: all, unless --division is given]
    #[arg(long)]
    pub zone: Option<String>,
    /// A 6-digit division code (`national` for the whole country)
    #[arg(long, conflicts_with = "zone")]
    pub division: Option<String>,
    /// A year, or `all` years that have data
    #[arg(long, default_value = "all")]
    pub year: String,
    /// An indicator code (rows 1-15, or a zone's featured indicator), `featured` for every zone's featured
    /// indicators (row 16), or `all`
    #[arg(long, default_value = "all")]
    pub indicator: String,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Csv,
    Json,
}

/// What every import takes.
#[derive(Debug, Args)]
pub struct ImportOptions {
    /// The batch this file is: importing a file for the same batch again replaces the batch's earlier
    /// contribution [default: the file's name]
    #[arg(long)]
    pub batch: Option<String>,
    /// Check the file and report, without storing anything
    #[arg(long)]
    pub dry_run: bool,
    /// Import the good rows and write the bad ones, with reasons, to an error file
    #[arg(long)]
    pub skip_invalid: bool,
    /// Where --skip-invalid writes the bad rows [default: FILE.errors.csv]
    #[arg(long, value_name = "PATH")]
    pub errors: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1]
    #[arg(long, env = "TTDZ_BIND", value_name = "ADDR")]
    pub bind: Option<std::net::IpAddr>,
    /// Port to listen on; 0 picks a free one [default: 8080]
    #[arg(long, env = "TTDZ_PORT")]
    pub port: Option<u16>,
    /// Load the demo data before serving
    #[arg(long)]
    pub demo: bool,
    /// Do not migrate at start: for deployments that run `ttdz migrate` separately; a database whose schema is
    /// older than this build is then refused
    #[arg(long)]
    pub no_migrate: bool,
    /// Do not run the background jobs (reminders) in this process: for deployments that run `ttdz worker`
    #[arg(long)]
    pub no_jobs: bool,
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Add the demo data (published figures with their sources); running it again changes nothing
    Load,
    /// Write a file of synthetic technology contracts (for trying the import and for benchmarks; never real data)
    Contracts {
        /// Where to write the CSV
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        rows: u64,
        /// Same seed, same file
        #[arg(long, default_value_t = 2017)]
        seed: u64,
        /// Registration years, as FIRST-LAST
        #[arg(long, default_value = "2019-2024")]
        years: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The annual report of a zone for a year: its indicators with the year before, growth, targets and sources,
    /// featured indicators, the key tasks' progress and the written report once accepted
    Annual {
        #[arg(long)]
        zone: String,
        #[arg(long)]
        year: i64,
        #[command(flatten)]
        output: DocumentOutput,
    },
    /// The end-of-term evaluation of a zone: the proposed verdict with every reason, and the year's indicators
    Term {
        #[arg(long)]
        zone: String,
        /// The year weighed [default: the last year of the term with data]
        #[arg(long)]
        year: Option<i64>,
        #[command(flatten)]
        output: DocumentOutput,
    },
    /// The national summary of a year: every zone compared, and the replicable experience published
    National {
        #[arg(long)]
        year: i64,
        #[command(flatten)]
        output: DocumentOutput,
    },
}

/// Where a document goes, and in which format.
#[derive(Debug, clap::Args)]
pub struct DocumentOutput {
    /// docx (Word), pdf, html (one web page), md (Markdown) or json (the model)
    #[arg(long, default_value = "docx")]
    pub format: String,
    /// Where to write it
    #[arg(short = 'o', long = "out")]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Build the index again from the store (after adding words to DATA_DIR/search-dictionary.txt, say); stop the
    /// servers using this data directory first: the index is theirs while they run
    Reindex,
    /// Search the published achievements (or demands) and print the best as JSON lines
    Query {
        /// What to look for
        text: String,
        /// Search the demands instead
        #[arg(long)]
        demands: bool,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Add a newer division code list: a folder with provinces.csv, cities.csv and areas.csv in the shape of
    /// the shipped 2023 list (data/divisions/2023). All or nothing.
    Divisions {
        /// The list's year (统计用区划代码 of that year)
        #[arg(long)]
        vintage: i64,
        /// Folder holding provinces.csv, cities.csv and areas.csv
        dir: PathBuf,
    },
    /// Import long-format values: division_code|zone_key,year,element,value[,unit][,source] (CSV, UTF-8 or GBK)
    Values {
        file: PathBuf,
        #[command(flatten)]
        options: ImportOptions,
    },
    /// Import a filled Excel reporting template (see `ttdz template`); bad cells are marked in FILE.errors.xlsx
    Template {
        file: PathBuf,
        #[command(flatten)]
        options: ImportOptions,
    },
    /// Import S&T achievements from a registry: JSON Lines (one object a line with at least `id` and `abstract`;
    /// title, holder, division, inventors, field, maturity, ip, modes, price, contact, programme, award optional;
    /// a missing title is made from the abstract and marked derived) or CSV with those columns. All or nothing;
    /// published at once unless --review
    Achievements {
        file: PathBuf,
        /// Send them to the provinces' moderation instead of publishing them
        #[arg(long)]
        review: bool,
    },
    /// Import technology demands from a registry: JSON Lines or CSV with at least `id` and `description` (title,
    /// enterprise, division, field, budget, deadline, contact optional). All or nothing; published unless --review
    Demands {
        file: PathBuf,
        /// Send them to the provinces' moderation instead of publishing them
        #[arg(long)]
        review: bool,
    },
    /// Import technology-contract micro-data (CSV, UTF-8 or GBK) and roll it up per county, year and type
    Contracts {
        file: PathBuf,
        #[command(flatten)]
        options: ImportOptions,
        /// Parsing threads [default: the number of cores]
        #[arg(long)]
        threads: Option<usize>,
    },
}
