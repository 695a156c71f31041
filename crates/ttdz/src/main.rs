//! The `ttdz` binary: parses the command line, opens the store the settings name, runs one command, and turns
//! failures into a message on stderr and an exit code (1: the data was bad, 2: the setup was).

mod cli;
mod commands;
mod config;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::config::Settings;

/// A failure at the edge of the program, with the exit code it means.
#[derive(Debug)]
pub struct Fatal {
    code: u8,
    error: anyhow::Error,
}

impl Fatal {
    /// Configuration or environment: unsupported URL, unreachable server, port in use. Exit code 2.
    pub fn environment(error: impl std::fmt::Display) -> Fatal {
        Fatal { code: 2, error: anyhow::Error::msg(error.to_string()) }
    }

    /// Bad input data: nothing was written. Exit code 1.
    pub fn data(error: impl std::fmt::Display) -> Fatal {
        Fatal { code: 1, error: anyhow::Error::msg(error.to_string()) }
    }

    pub fn message(&self) -> String {
        self.error.to_string()
    }
}

impl From<ttdz_store::StoreError> for Fatal {
    fn from(e: ttdz_store::StoreError) -> Fatal {
        use ttdz_store::StoreError::*;
        match e {
            Unreachable(_) | Schema(_) => Fatal::environment(e),
            Invalid(_) | Conflict(_) => Fatal::data(e),
            Corrupt(_) | Database(_) | Malformed(_) => Fatal::data(e),
        }
    }
}

impl From<ttdz_app::AppError> for Fatal {
    fn from(e: ttdz_app::AppError) -> Fatal {
        match e {
            ttdz_app::AppError::Store(e) => e.into(),
            ttdz_app::AppError::Environment(m) => Fatal::environment(m),
            other => Fatal::data(other),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `evaluate` works on files alone: it reads no platform settings, so a server's TTDZ_CONFIG cannot break it.
    if let cli::Command::Evaluate(args) = &cli.command {
        return match commands::evaluate(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => report(e),
        };
    }
    let settings = match Settings::load(&cli.global) {
        Ok(s) => s,
        Err(e) => return report(e),
    };
    init_logging(&settings.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return report(Fatal::environment(e)),
    };
    match runtime.block_on(commands::run(cli.command, &settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(e),
    }
}

fn report(e: Fatal) -> ExitCode {
    eprintln!("error: {:#}", e.error);
    ExitCode::from(e.code)
}

fn init_logging(filter: &str) {
    use tracing_subscriber::EnvFilter;
    // sqlx logs every statement at info; that is noise unless asked for.
    let filter = EnvFilter::try_new(format!("sqlx=warn,{filter}")).unwrap_or_else(|_| EnvFilter::new("info"));
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}
