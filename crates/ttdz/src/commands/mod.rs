//! One function per subcommand.

mod evaluate;

pub use evaluate::run as evaluate;
mod import;
mod indicators;
mod users;

use std::path::Path;
use std::sync::Arc;

use ttdz_domain::achievement::RecordKind;
use ttdz_domain::reference::{TextFile, parse_divisions};
use ttdz_domain::{Dataset, ReferenceData, Vintage};
use ttdz_store::Store;
use ttdz_store_postgres::PgStore;
use ttdz_store_sqlite::SqliteStore;
use ttdz_web::{AppState, Application};

use crate::Fatal;
use crate::cli::{Command, DemoCommand, DocumentOutput, ImportCommand, ReportCommand, SearchCommand, ServeArgs};
use crate::config::{DatabaseUrl, Settings};

/// Who the command line writes as, for the audit trail: the operating-system login.
/// Whoever runs the command, as the use cases know them: the ministry's rights, named by the login user.
pub(crate) fn operator() -> ttdz_app::Viewer {
    ttdz_app::Viewer::Operator(std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned()))
}

pub async fn run(command: Command, settings: &Settings) -> Result<(), Fatal> {
    match command {
        Command::Serve(args) => serve(settings, &args).await,
        Command::Migrate => migrate(settings).await,
        Command::Demo { command: DemoCommand::Load } => demo_load(settings).await,
        Command::Demo { command: DemoCommand::Contracts { out, rows, seed, years } } => {
            import::write_synthetic(settings, &out, rows, seed, &years).await
        }
        Command::Import { command: ImportCommand::Divisions { vintage, dir } } => {
            import_divisions(settings, vintage, &dir).await
        }
        Command::Import { command: ImportCommand::Values { file, options } } => {
            import::values(settings, &file, &options).await
        }
        Command::Import { command: ImportCommand::Contracts { file, options, threads } } => {
            import::contracts(settings, &file, &options, threads).await
        }
        Command::Import { command: ImportCommand::Achievements { file, review } } => {
            import::records(settings, RecordKind::Achievement, &file, review).await
        }
        Command::Import { command: ImportCommand::Demands { file, review } } => {
            import::records(settings, RecordKind::Demand, &file, review).await
        }
        Command::Report { command } => report(settings, command).await,
        Command::Search { command: SearchCommand::Reindex } => {
            let ctx = context(settings, open_store(settings).await?);
            let read = ttdz_app::information::reindex(&ctx, &operator()).await?;
            println!("search index rebuilt: {read} records read from {}", settings.database_url);
            Ok(())
        }
        Command::Search { command: SearchCommand::Query { text, demands, limit } } => {
            let ctx = context(settings, open_store(settings).await?);
            let kind = if demands { RecordKind::Demand } else { RecordKind::Achievement };
            let params = ttdz_app::information::SearchParams { q: text, limit: Some(limit), ..Default::default() };
            let answer = ttdz_app::information::search(&ctx, &operator(), kind, &params).await?;
            for hit in answer.hits {
                let line = serde_json::json!({
                    "id": hit.id, "external_id": hit.external_id, "score": hit.score,
                    "title": hit.record.description.title(), "snippet": hit.snippet_html,
                });
                println!("{line}");
            }
            Ok(())
        }
        Command::Indicators(args) => indicators::run(settings, &args).await,
        // Dispatched in main before any settings are read.
        Command::Evaluate(args) => evaluate(&args),
        Command::User { command } => users::run(settings, command).await,
        Command::Template { zone, year, out } => import::write_template(settings, &zone, year, &out).await,
        Command::Import { command: ImportCommand::Template { file, options } } => {
            import::template(settings, &file, &options).await
        }
        Command::Changes { since, limit } => changes(settings, since.as_deref(), limit).await,
        Command::Worker => {
            let store = open_store(settings).await?;
            tracing::info!(database = %settings.database_url, "ttdz worker running the background jobs");
            tokio::select! {
                () = ttdz_app::jobs::run_forever(context(settings, store), JOBS_EVERY) => {},
                () = shutdown_signal() => {},
            }
            Ok(())
        }
        Command::Openapi => {
            let doc = ttdz_web::api::openapi();
            let json = serde_json::to_string_pretty(&doc).map_err(Fatal::data)?;
            println!("{json}");
            Ok(())
        }
    }
}

/// How often the background jobs look for work (each runs once a day).
const JOBS_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

async fn changes(settings: &Settings, since: Option<&str>, limit: u32) -> Result<(), Fatal> {
    use std::io::Write;
    let ctx = context(settings, open_store(settings).await?);
    let mut out = std::io::stdout().lock();
    for c in ttdz_app::catalog::changes(&ctx, &operator(), since, limit).await? {
        let line =
            serde_json::json!({ "cursor": c.cursor, "kind": c.kind, "key": c.key, "action": c.action, "at": c.at });
        writeln!(out, "{line}").map_err(|e| Fatal::data(format!("cannot write the output: {e}")))?;
    }
    Ok(())
}

/// `ttdz report annual|term|national`: the document as Word, PDF, a web page, Markdown or its model.
async fn report(settings: &Settings, command: ReportCommand) -> Result<(), Fatal> {
    let ctx = context(settings, open_store(settings).await?);
    let typesetter = ttdz_docs::Typesetter::new(settings.fonts.clone());
    let format_of = |output: &DocumentOutput| {
        ttdz_docs::Format::parse(&output.format)
            .ok_or_else(|| Fatal::data(format!("--format {}: give docx, pdf, html, md or json", output.format)))
    };
    let (output, what, bytes) = match command {
        ReportCommand::Annual { zone, year, output } => {
            let year = ctx.check_year(year)?;
            let doc = ttdz_app::annual::annual(&ctx, &operator(), &zone, year).await?;
            let bytes = ttdz_docs::render(&doc, format_of(&output)?, &typesetter).map_err(Fatal::data)?;
            (output, format!("the {year} annual report of {zone}"), bytes)
        }
        ReportCommand::Term { zone, year, output } => {
            let year = year.map(|y| ctx.check_year(y)).transpose()?;
            let doc = ttdz_app::annual::term(&ctx, &operator(), &zone, year).await?;
            let bytes = ttdz_docs::render(&doc, format_of(&output)?, &typesetter).map_err(Fatal::data)?;
            (output, format!("the term evaluation of {zone} on {}", doc.year.year), bytes)
        }
        ReportCommand::National { year, output } => {
            let year = ctx.check_year(year)?;
            let doc = ttdz_app::annual::national(&ctx, Some(year)).await?;
            let bytes = ttdz_docs::render(&doc, format_of(&output)?, &typesetter).map_err(Fatal::data)?;
            (output, format!("the national summary of {year}"), bytes)
        }
    };
    let out = &output.out;
    std::fs::write(out, bytes).map_err(|e| Fatal::data(format!("cannot write {}: {e}", out.display())))?;
    println!("{}: {what}", out.display());
    Ok(())
}

fn shipped_reference() -> Result<ReferenceData, Fatal> {
    // Compiled in and covered by tests: failing here means a broken build, reported rather than unwrapped.
    ReferenceData::shipped().map_err(Fatal::data)
}

/// The use cases' context over `store`, with the deployment's settings.
pub(crate) fn context(settings: &Settings, store: Arc<dyn Store>) -> ttdz_app::Context {
    ttdz_app::Context::new(
        store,
        ttdz_app::Settings {
            report_due: settings.report_due,
            verdict: settings.verdict.clone(),
            groups: settings.groups,
            clock: settings.clock.clone(),
            search: settings.search.clone(),
        },
    )
}

/// Opens the store the URL names, refusing one whose schema is older than this build: only `migrate` and `serve`
/// change the schema, so a command that reads (or a newer binary run by hand) never upgrades a database that
/// running servers share.
pub(crate) async fn open_store(settings: &Settings) -> Result<Arc<dyn Store>, Fatal> {
    let store = connect(settings).await?;
    let pending = store.pending_migrations().await?;
    if !pending.is_empty() {
        return Err(Fatal::environment(format!(
            "the database {} is older than this ttdz (pending migrations: {}); run `ttdz migrate` first",
            settings.database_url,
            pending.join(", ")
        )));
    }
    Ok(store)
}

/// Opens the store the URL names and brings its schema and reference data up to date.
pub(crate) async fn open_store_migrated(settings: &Settings) -> Result<Arc<dyn Store>, Fatal> {
    let store = connect(settings).await?;
    let report = store.migrate(&shipped_reference()?, settings.clock.year()).await?;
    for m in &report.applied {
        tracing::info!(migration = %m, "applied schema migration");
    }
    for d in &report.datasets_loaded {
        tracing::info!(dataset = %d, "loaded reference data");
    }
    Ok(store)
}

async fn connect(settings: &Settings) -> Result<Arc<dyn Store>, Fatal> {
    let store: Arc<dyn Store> = match &settings.database_url {
        DatabaseUrl::Sqlite(url) => {
            if let Some(parent) = sqlite_file(url).and_then(|p| p.parent().map(Path::to_path_buf))
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(&parent)
                    .map_err(|e| Fatal::environment(format!("cannot create data folder {}: {e}", parent.display())))?;
            }
            Arc::new(SqliteStore::open(url).await?)
        }
        DatabaseUrl::Postgres(url) => Arc::new(PgStore::connect(url).await?),
    };
    Ok(store)
}

/// The file behind a sqlite: URL, if it names one.
fn sqlite_file(url: &str) -> Option<&Path> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| Path::new(path))
}

async fn migrate(settings: &Settings) -> Result<(), Fatal> {
    let store = open_store_migrated(settings).await?;
    let vintages = store.vintages().await?;
    println!(
        "database {} is up to date ({}; division lists: {})",
        settings.database_url,
        store.backend().as_str(),
        vintages.iter().map(|v| format!("{} ({} divisions)", v.vintage, v.divisions)).collect::<Vec<_>>().join(", ")
    );
    Ok(())
}

async fn demo_load(settings: &Settings) -> Result<(), Fatal> {
    let ctx = context(settings, open_store(settings).await?);
    ttdz_app::demo::load(&ctx, &operator(), "cli").await?;
    println!("demo data loaded into {}", settings.database_url);
    Ok(())
}

async fn serve(settings: &Settings, args: &ServeArgs) -> Result<(), Fatal> {
    let addr = settings.listen_address(args);
    let store = if args.no_migrate { open_store(settings).await? } else { open_store_migrated(settings).await? };
    if args.demo {
        ttdz_app::demo::load(&context(settings, store.clone()), &operator(), "cli").await?;
    }
    let known = store.indicators().await.map_err(Fatal::environment)?;
    if let Some(unknown) =
        settings.verdict.main_indicators.iter().find(|c| !known.iter().any(|i| i.code.as_str() == c.as_str()))
    {
        return Err(Fatal::environment(format!(
            "config: [verdict] main_indicators: '{unknown}' is not an Annex 2 indicator"
        )));
    }
    let state = match &settings.admin_token {
        Some(token) => AppState::new(store).with_admin_token(token.expose().to_owned()),
        None => AppState::new(store),
    };
    let (month, day) = settings.report_due;
    let state = state
        .with_report_due(month, day)
        .with_verdict(settings.verdict.clone())
        .with_groups(settings.groups)
        .with_clock(settings.clock.clone())
        .with_search(settings.search.clone())
        .with_fonts(settings.fonts.clone())
        .with_secure_cookies(settings.secure_cookies);
    if !args.no_jobs {
        tokio::spawn(ttdz_app::jobs::run_forever(state.app().clone(), JOBS_EVERY));
    }
    let app = Application::build(addr, state).await.map_err(Fatal::environment)?;
    let bound = app.local_addr().map_err(Fatal::environment)?;
    tracing::info!(database = %settings.database_url, "ttdz listening on http://{bound}");
    app.run_until(shutdown_signal()).await.map_err(Fatal::environment)?;
    tracing::info!("ttdz stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

async fn import_divisions(settings: &Settings, vintage: i64, dir: &Path) -> Result<(), Fatal> {
    let vintage = Vintage::new(vintage).map_err(Fatal::data)?;
    let names = ["provinces.csv", "cities.csv", "areas.csv"];
    let mut texts = Vec::with_capacity(3);
    for name in names {
        let path = dir.join(name);
        let text =
            std::fs::read_to_string(&path).map_err(|e| Fatal::data(format!("cannot read {}: {e}", path.display())))?;
        texts.push((path.display().to_string(), text));
    }
    let files: Vec<TextFile<'_>> = texts.iter().map(|(name, text)| TextFile { name, text }).collect();
    let set = parse_divisions(vintage, files[0], files[1], files[2]).map_err(Fatal::data)?;

    let dataset = Dataset::of(&format!("divisions-{vintage}"), &files, &format!("imported from {}", dir.display()));
    let ctx = context(settings, open_store(settings).await?);
    ttdz_app::catalog::add_division_vintage(&ctx, &operator(), "cli", &set, &dataset).await?;
    println!(
        "imported division list {vintage}: {} divisions ({} provinces, {} prefectures, {} counties)",
        set.divisions().len(),
        set.count(ttdz_domain::Level::Province),
        set.count(ttdz_domain::Level::Prefecture),
        set.count(ttdz_domain::Level::County)
    );
    Ok(())
}
