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
    /// A TOML file with the same settings (data_dir, database_url, log, [server] bind and port)
    #[arg(long, global = true, env = "TTDZ_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log filter, e.g. info or ttdz_web=debug [default: info]
    #[arg(long, global = true, env = "TTDZ_LOG", value_name = "FILTER")]
    pub log: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (API under /api/v1 and the HTML pages), migrating the database first
    Serve(ServeArgs),
    /// Bring the database schema and the shipped reference data up to date, then exit
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
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Add the demo data (published figures with their sources); running it again changes nothing
    Load,
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
}
