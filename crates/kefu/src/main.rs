//! `kefu`: the command line. See the README for every command.

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use kefu_app::demo::DemoOptions;
use kefu_app::people::NewAgentCommand;
use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;
use tokio::net::TcpListener;

/// mimalloc instead of the system allocator: the request path allocates a lot across
/// threads, where glibc's malloc showed up with about 12 % of the create benchmark's
/// profile (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "kefu", version, about = "Kefu (客服): self-hosted customer service")]
struct Cli {
    /// Where Kefu keeps its SQLite database (ignored when KEFU_DATABASE_URL is set).
    #[arg(long, global = true, env = "KEFU_DATA_DIR", default_value = "kefu-data")]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "KEFU_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Fill an empty database with a demo workspace first.
        #[arg(long)]
        demo: bool,
    },
    /// Manage agents and tokens.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Rebuild the search index from the database (stop the server first).
    Reindex,
    /// KPI rollups: rebuild them from the events, or backtest the arrivals forecast.
    Analytics {
        #[command(subcommand)]
        command: AnalyticsCommand,
    },
    /// Fill the database with demo data.
    Demo {
        #[arg(long)]
        tickets: usize,
        #[arg(long)]
        customers: Option<usize>,
        /// Extra satisfaction answers spread over the last two years (benchmarks).
        #[arg(long, default_value_t = 0)]
        survey_answers: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum AnalyticsCommand {
    /// Empty the KPI rollups and fold every ticket event again (safe while servers run).
    Rebuild,
    /// Rolling-origin backtest of the 7-day arrivals forecast against "same hour last
    /// week", on this database's history.
    Backtest {
        /// Only arrivals on this channel (e.g. chat).
        #[arg(long)]
        channel: Option<String>,
        /// Forecast origins, one week apart, ending now.
        #[arg(long, default_value_t = 8)]
        origins: usize,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an agent; the password is read from standard input.
    CreateAgent {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["admin", "supervisor", "agent"])]
        role: String,
        /// A team by name; repeat for several.
        #[arg(long = "team")]
        teams: Vec<String>,
        /// Read the password from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Print a new API token for the agent (only the token).
    CreateToken {
        #[arg(long)]
        email: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KEFU_LOG").unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let database_url = std::env::var("KEFU_DATABASE_URL").ok();
    let location = kefu::location(&cli.data_dir, database_url.as_deref())?;
    match cli.command {
        Command::Serve { listen, demo } => serve(&cli.data_dir, &location, &listen, demo).await,
        Command::Admin { command } => admin(&cli.data_dir, &location, command).await,
        Command::Reindex => {
            let app = kefu::open(&cli.data_dir, &location).await?;
            let summary = app.reindex().await.map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
            eprintln!(
                "Search index rebuilt: {} tickets, {} customers, {} articles, {} survey comments in {:.1} s.",
                summary.tickets, summary.customers, summary.articles, summary.answers, summary.seconds
            );
            app.db().close().await;
            Ok(())
        }
        Command::Analytics { command } => {
            let app = kefu::open(&cli.data_dir, &location).await?;
            let result = analytics(&app, command).await;
            app.db().close().await;
            result
        }
        Command::Demo {
            tickets,
            customers,
            survey_answers,
            seed,
        } => {
            let app = kefu::open(&cli.data_dir, &location).await?;
            let started = Instant::now();
            let summary = app
                .fill_demo(DemoOptions {
                    tickets,
                    customers,
                    survey_answers,
                    seed,
                })
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            eprintln!("{}", describe_demo(&summary, started));
            app.db().close().await;
            Ok(())
        }
    }
}

async fn serve(data_dir: &std::path::Path, location: &kefu_store::Location, listen: &str, demo: bool) -> anyhow::Result<()> {
    let app = kefu::open(data_dir, location).await?;
    tracing::info!(database = %location.redacted(), "database ready");
    if demo {
        if app.has_agents().await.map_err(|e| anyhow::anyhow!("{e:?}"))? {
            let token = app.create_token_for(kefu_app::demo::ADMIN_EMAIL).await;
            match token {
                Ok(token) => println!(
                    "Demo data already present.\n  Sign in: {} / {}\n  API token: {token}",
                    kefu_app::demo::ADMIN_EMAIL,
                    kefu_app::demo::ADMIN_PASSWORD
                ),
                Err(_) => println!("The database already has agents that are not the demo's; --demo added nothing."),
            }
        } else {
            let started = Instant::now();
            // Enough to fill every inbox view, small enough to start in a second or two.
            let options = DemoOptions {
                tickets: 3000,
                customers: Some(600),
                survey_answers: 0,
                seed: 42,
            };
            let summary = app.fill_demo(options).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            println!("{}", describe_demo(&summary, started));
        }
    } else if !app.has_agents().await.map_err(|e| anyhow::anyhow!("{e:?}"))? {
        println!(
            "This Kefu has no agents yet. Create the first admin, then a token for the API:\n  \
             echo 'a-long-password' | kefu admin create-agent --email you@example.com --name 'Your Name' --role admin --password-stdin\n  \
             kefu admin create-token --email you@example.com"
        );
    }
    let listener = TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    let shutdown = shutdown_signal()?;
    println!("Kefu is listening on http://{}", listener.local_addr()?);
    kefu::start(app, listener, shutdown).await?;
    tracing::info!("stopped cleanly");
    Ok(())
}

async fn admin(data_dir: &std::path::Path, location: &kefu_store::Location, command: AdminCommand) -> anyhow::Result<()> {
    let app = kefu::open(data_dir, location).await?;
    let result = match command {
        AdminCommand::CreateAgent {
            email,
            name,
            role,
            teams,
            password_stdin,
        } => {
            let password = if password_stdin {
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .context("reading the password from standard input")?;
                let password = text.lines().next().unwrap_or_default().to_owned();
                if password.is_empty() {
                    bail!("no password on standard input");
                }
                Some(password)
            } else {
                None
            };
            let agent = app
                .create_agent_as_operator(NewAgentCommand {
                    email,
                    name,
                    role,
                    teams,
                    password,
                })
                .await;
            agent.map(|agent| eprintln!("created agent {} <{}> ({})", agent.id, agent.email.as_str(), agent.role))
        }
        AdminCommand::CreateToken { email } => app.create_token_for(&email).await.map(|token| println!("{token}")),
    };
    app.db().close().await;
    result.map_err(|e| anyhow::anyhow!("{}", describe(&e)))
}

/// What the demo made and how to sign in.
fn describe_demo(summary: &kefu_app::demo::DemoSummary, started: Instant) -> String {
    format!(
        "Demo workspace ready ({} tickets, {} customers, {} knowledge articles, {:.1} s).\n  Sign in: {} / {}\n  API token: {}",
        summary.tickets,
        summary.customers,
        summary.articles,
        started.elapsed().as_secs_f64(),
        summary.admin_email,
        summary.admin_password,
        summary.token
    )
}

/// A one-line explanation of a use-case error for the operator.
fn describe(error: &kefu_app::AppError) -> String {
    match error {
        kefu_app::AppError::Invalid(errors) => errors
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// Resolves on SIGTERM or SIGINT. The handlers are installed when this is called, not
/// when the future is first polled, so a signal that arrives right after the "listening"
/// line is not lost (it would otherwise kill the process uncleanly).
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
        let mut interrupt = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {},
                _ = interrupt.recv() => {},
            }
            tracing::info!("shutting down: finishing in-flight requests");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async move {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down: finishing in-flight requests");
        })
    }
}

async fn analytics(app: &kefu_app::App, command: AnalyticsCommand) -> anyhow::Result<()> {
    match command {
        AnalyticsCommand::Rebuild => {
            let summary = app.rebuild_analytics().await.map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
            eprintln!("KPI rollups rebuilt: {} events folded in {:.1} s.", summary.events, summary.seconds);
        }
        AnalyticsCommand::Backtest { channel, origins } => {
            // The rollups must hold every event before the history is read.
            app.catch_up_analytics().await.map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
            let b = app
                .forecast_backtest(channel.as_deref(), origins)
                .await
                .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
            println!(
                "origins {} x {} h: model WAPE {:.3} MASE {:.3}; seasonal naive WAPE {:.3} MASE {:.3}; {:.0} % interval covered {:.1} %",
                b.origins,
                b.horizon,
                b.model_wape,
                b.model_mase,
                b.baseline_wape,
                b.baseline_mase,
                b.level * 100.0,
                b.coverage * 100.0
            );
        }
    }
    Ok(())
}
