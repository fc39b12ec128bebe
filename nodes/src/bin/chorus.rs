//! `chorus`: the operator CLI.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

/// Operate a Chorus deployment.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// TOML configuration file (also `CHORUS_CONFIG`); NATS settings come from it
    /// and from `CHORUS_NATS_*` variables.
    #[arg(long, env = "CHORUS_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Access token for requests that need one (`chorus login` prints one).
    #[arg(long, env = "CHORUS_TOKEN", global = true, hide_env_values = true)]
    token: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fill the catalog with a synthetic catalog (no audio); re-runs add nothing twice.
    Seed {
        /// Number of tracks.
        #[arg(long, default_value_t = 500)]
        tracks: usize,
        /// Generator seed: the same seed gives the same catalog.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Write a synthetic listening world (artists, albums, tracks, and plays by
    /// listeners of known taste) into the catalog record and the plays stream.
    SeedWorld {
        /// Tracks.
        #[arg(long, default_value_t = 2_000)]
        tracks: u32,
        /// Listeners.
        #[arg(long, default_value_t = 200)]
        listeners: u32,
        /// Plays.
        #[arg(long, default_value_t = 20_000)]
        plays: usize,
        /// Genres (the listeners' taste clusters).
        #[arg(long, default_value_t = 6)]
        genres: u32,
        /// Generator seed.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Import a folder of audio files (mp3, flac, ogg/opus, m4a) into the catalog.
    Import {
        /// The folder; read recursively.
        folder: PathBuf,
        /// Artist of files without an artist tag.
        #[arg(long, default_value = "Unknown Artist")]
        default_artist: String,
    },
    /// Sign in and print an access token (for `CHORUS_TOKEN`).
    Login {
        /// Username.
        username: String,
        /// The environment variable holding the password (never an argument: it would show in `ps`).
        #[arg(long, default_value = "CHORUS_PASSWORD")]
        password_env: String,
    },
    /// The signed-in listener's own account (`--token`): export it, or close it.
    Account {
        #[command(subcommand)]
        action: AccountAction,
    },
    /// Print a new signing key line for `[auth] signing_keys` (`<kid>:<seed>`).
    Keygen {
        /// Instead, a NATS account key for the auth callout: `<public key> <seed>`
        /// (the public key is the server's `auth_callout` issuer, the seed
        /// `[auth.callout] issuer_seed`).
        #[arg(long)]
        nats_account: bool,
        /// Instead, a curve key to seal callout requests and answers: `<public key> <seed>`
        /// (the public key is the server's `auth_callout { xkey }`, the seed `[auth.callout] xkey_seed`).
        #[arg(long, conflicts_with = "nats_account")]
        nats_xkey: bool,
    },
    /// Print the nats-server accounts (`nats/conf/accounts.conf`), made from the subject builders.
    AccountsConf,
    /// Send a JSON request and print the reply (like `nats req`).
    Req {
        /// Subject, e.g. chorus.catalog.v1.track.list.
        subject: String,
        /// JSON body.
        #[arg(default_value = "{}")]
        body: String,
        /// Seconds to wait.
        #[arg(long, default_value_t = 2.0)]
        timeout: f64,
    },
    /// Serve the web player's files and its config.json over HTTP (until SIGTERM).
    Web {
        /// The built player (`examples/web/dist`; `/usr/share/chorus/web` in the image).
        #[arg(long, default_value = "/usr/share/chorus/web")]
        dir: PathBuf,
        /// The deployment's config.json: `{"ws_url": ..., "user": ..., "password": ...}`.
        #[arg(long = "web-config", default_value = "/etc/chorus-web/config.json", conflicts_with = "ws_url")]
        web_config: PathBuf,
        /// Instead, make config.json: the NATS websocket URL browsers open,
        /// with `--web-user` and the password in `CHORUS_WEB_PASSWORD`.
        #[arg(long)]
        ws_url: Option<String>,
        /// The NATS user browsers connect as (with `--ws-url`).
        #[arg(long, default_value = "web")]
        web_user: String,
        /// Address to listen on.
        #[arg(long, default_value = "0.0.0.0:8080")]
        listen: String,
    },
    /// Discovery, like `nats micro`: ping, info or stats of every instance.
    Micro {
        /// ping, info or stats.
        #[arg(value_parser = ["ping", "info", "stats"])]
        verb: String,
        /// Only this service.
        service: Option<String>,
    },
}

#[derive(Subcommand)]
enum AccountAction {
    /// Write every piece of the listener's data as one JSON archive.
    Export {
        /// The file to write (stdout when absent).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Close the account: every service erases the listener's data (export first).
    Close {
        /// The environment variable holding the password (asked again to close).
        #[arg(long, default_value = "CHORUS_PASSWORD")]
        password_env: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    // Like other Unix tools, end quietly when the reader of our output goes
    // away (`chorus req ... | head`) instead of panicking in println!.
    // SAFETY: setting a signal's disposition to the default, before any thread reads it.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chorus: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    if let Command::Keygen { nats_account, nats_xkey } = args.command {
        if nats_xkey {
            let (public, seed) = chorus_auth::callout::new_xkey();
            println!("{public} {seed}");
        } else if nats_account {
            let (public, seed) = chorus_auth::callout::new_issuer()?;
            println!("{public} {seed}");
        } else {
            println!("{}", chorus_auth::keys::SigningKeys::generate());
        }
        return Ok(());
    }
    if let Command::Web { dir, web_config, ws_url, web_user, listen } = args.command {
        let page = match ws_url {
            Some(ws_url) => chorus_nodes::web::PageConfig::Made {
                ws_url,
                user: web_user,
                password: std::env::var("CHORUS_WEB_PASSWORD").context("--ws-url needs $CHORUS_WEB_PASSWORD")?,
            },
            None => chorus_nodes::web::PageConfig::File(web_config),
        };
        return chorus_nodes::web::serve(&dir, page, &listen, chorus_host::shutdown::signal()).await;
    }
    if let Command::AccountsConf = args.command {
        print!("{}", chorus_nodes::accounts_conf::accounts_conf());
        return Ok(());
    }
    let config = chorus_host::Config::load(args.config.as_deref())?;
    let nats = chorus_host::connect::connect(&config, "chorus cli").await?;
    match args.command {
        Command::Seed { tracks, seed } => {
            let catalog = chorus_catalog::CatalogConfig::read(&config)?;
            let created = chorus_nodes::seed::run(nats.clone(), tracks, seed, catalog.shared.replicas).await?;
            println!("seeded {created} new tracks ({} already there)", tracks - created);
        }
        Command::SeedWorld { tracks, listeners, plays, genres, seed } => {
            let w = chorus_nodes::world::write(nats.clone(), tracks, listeners, plays, genres, seed).await?;
            println!(
                "wrote {} tracks by {} artists and {} plays of {} listeners",
                w.tracks.len(),
                w.artists.len(),
                w.world.events().len(),
                w.listeners.len()
            );
        }
        Command::Import { folder, default_artist } => {
            let mut client = chorus_nats::ChorusClient::new(nats.clone()).with_timeout(Duration::from_secs(10));
            if let Some(token) = &args.token {
                client = client.with_token(token.as_str());
            }
            // The stores' replicas when the import creates them: the stream service's ([stream] replicas).
            let replicas = config.section::<chorus_stream::StreamConfig>("stream")?.replicas;
            let report =
                chorus_nodes::import::run_replicated(&client, &folder, &default_artist, true, replicas).await?;
            println!(
                "imported {} new tracks, {} already there, {} skipped",
                report.created,
                report.existing,
                report.failed.len()
            );
        }
        Command::Req { subject, body, timeout } => {
            let timeout = Duration::from_secs_f64(timeout);
            let reply = chorus_nodes::req::request(&nats, &subject, &body, args.token.as_deref(), timeout).await?;
            println!("{}", reply.body);
            if let Some(error) = reply.error {
                anyhow::bail!("service error {error}");
            }
        }
        Command::Login { username, password_env } => {
            let password = std::env::var(&password_env).with_context(|| format!("${password_env} is not set"))?;
            let client = chorus_nats::ChorusClient::new(nats.clone()).with_timeout(Duration::from_secs(10));
            let login = chorus_nats::messages::auth::Login { username, password };
            let session: chorus_nats::messages::auth::Session = client.call(&login).await?;
            println!("{}", session.access_token);
        }
        Command::Account { action } => {
            let token = args.token.as_deref().context("sign in first: --token or CHORUS_TOKEN (`chorus login`)")?;
            let client =
                chorus_nats::ChorusClient::new(nats.clone()).with_timeout(Duration::from_secs(10)).with_token(token);
            match action {
                AccountAction::Export { out } => {
                    let archive = serde_json::to_string_pretty(&chorus_nodes::export::archive(&client).await?)?;
                    match out {
                        Some(path) => std::fs::write(&path, archive).with_context(|| format!("writing {path:?}"))?,
                        None => println!("{archive}"),
                    }
                }
                AccountAction::Close { password_env } => {
                    let password =
                        std::env::var(&password_env).with_context(|| format!("${password_env} is not set"))?;
                    let closed = client.call(&chorus_nats::messages::auth::AccountClose { password }).await?;
                    println!("account closed at {} (ms); its data is being erased", closed.closed_at);
                }
            }
        }
        // Printed above, without connecting.
        Command::Keygen { .. } | Command::AccountsConf | Command::Web { .. } => {}
        Command::Micro { verb, service } => {
            let mut subject = format!("$SRV.{}", verb.to_uppercase());
            if let Some(s) = service {
                subject = format!("{subject}.{s}");
            }
            let replies = chorus_nodes::req::discover(&nats, &subject, Duration::from_millis(500)).await?;
            anyhow::ensure!(!replies.is_empty(), "no service instance answered {subject}");
            for r in replies {
                println!("{r}");
            }
        }
    }
    nats.flush().await.context("flushing")?;
    Ok(())
}
