//! How each group of settings is resolved from the flags and the snapshot.

use std::time::Duration;

use anyhow::Result;

use super::{
    Conversation, DEFAULT_BASE_URL, DEFAULT_MODEL, Input, KeySource, Output, Request, Settings,
    Source, Sourced, Target, Transport, World, fields, key,
};
use crate::check::{ThinkChoice, check_base_url, check_header};
use crate::cli::{Cli, Command};
use crate::config::{self, ConfigFile, Role};
use crate::error::{CONFIG, USAGE, fail};
use crate::lifecycle::Deadline;
use crate::output::Extract;

impl Settings {
    /// The run's settings from the flags and a snapshot of the rest; reads nothing.
    pub(crate) fn resolve(cli: &Cli, world: &World) -> Result<Settings> {
        let config = match &world.config {
            Some(text) => config::parse(&text.text, &text.path)?,
            None => ConfigFile::default(),
        };
        let config_path = world.config.as_ref().map(|t| t.path.clone());
        let mut warnings = Vec::new();
        if let Some(text) = world.config.as_ref().filter(|t| t.shared)
            && config.api_key.is_some()
        {
            warnings.push(format!(
                "{} holds api_key and is readable by others (chmod 600 it, or use api_key_command)",
                text.path.display()
            ));
        }
        let transport = transport(cli, world, &config, config_path.as_deref())?;
        let chosen = super::role::role(cli, &config, world)?;
        let role = chosen.as_ref().map(|c| (c.name.as_str(), &c.role));
        let mut request = request(cli, world, &config, role)?;
        request.params = super::params::for_run(cli, chosen.as_ref(), &request)?;
        let batch = match &cli.command {
            Some(Command::Batch(args)) => Some(super::batch::batch(cli, args)?),
            _ => None,
        };
        Ok(Settings {
            transport,
            request,
            input: input(cli, world)?,
            output: output(cli, world, &config)?,
            conversation: conversation(cli, world, &config),
            batch,
            roles: match cli.command {
                Some(Command::Roles { .. }) => super::role::listed(&config, world),
                _ => Vec::new(),
            },
            role: chosen,
            role_dirs: world.role_dirs.clone(),
            aliases: config.aliases,
            config_path,
            config_place: world.config_place.clone(),
            warnings,
        })
    }
}

/// What the request body is made of: model, system text, stream, fields.
fn request(
    cli: &Cli,
    world: &World,
    config: &ConfigFile,
    role: Option<(&str, &Role)>,
) -> Result<Request> {
    let role_source = || Source::Role(role.map(|(name, _)| name.to_string()).unwrap_or_default());
    let model = model(cli, world, config, role);
    let cmd = match &cli.command {
        Some(Command::Cmd(args)) => Some(args),
        _ => None,
    };
    let stream = if cmd.is_some() {
        // A command is shown whole, once it is known to be one.
        Sourced::new(false, Source::Default)
    } else if cli.stream || cli.no_stream {
        Sourced::new(cli.stream, Source::Flag)
    } else if let Some(s) = config.stream {
        Sourced::new(s, Source::File)
    } else {
        Sourced::new(world.stdout_terminal && !cli.json, Source::Default)
    };
    let fields = fields::merge(cli, config, role)?;
    let system = match (&cli.system, role.and_then(|(_, r)| r.system.as_ref()), cmd) {
        (None, Some(system), _) => Sourced::new(Some(system.clone()), role_source()),
        (None, None, Some(args)) => {
            Sourced::new(Some(super::cmd::system_for(args, world)), Source::Default)
        }
        _ => flag_or_file(cli.system.as_ref(), config.system.as_ref()),
    };
    Ok(Request {
        model,
        system,
        role_prompt: role.and_then(|(_, r)| r.prompt.clone()),
        params: Vec::new(),
        stream,
        fields: fields.values,
        field_sources: fields.sources,
        files: fields.files,
        usage: cli.usage.is_some(),
        attach: cli.attach.clone(),
        dry_run: cli.dry_run,
    })
}

/// The model: `-m`, the role's, `MUME_MODEL`, the config's or the default; an alias of the
/// config replaced by what it stands for.
fn model(
    cli: &Cli,
    world: &World,
    config: &ConfigFile,
    role: Option<(&str, &Role)>,
) -> Sourced<String> {
    let model = match (&cli.model, role.and_then(|(_, r)| r.model.as_ref())) {
        (None, Some(model)) => Sourced::new(
            model.clone(),
            Source::Role(role.map(|(name, _)| name.to_string()).unwrap_or_default()),
        ),
        _ => pick(
            cli.model.clone(),
            world,
            "MUME_MODEL",
            config.model.clone(),
            DEFAULT_MODEL,
        ),
    };
    let value = config.aliases.get(&model.value).cloned();
    Sourced::new(value.unwrap_or(model.value), model.from)
}

fn transport(
    cli: &Cli,
    world: &World,
    config: &ConfigFile,
    config_path: Option<&std::path::Path>,
) -> Result<Transport> {
    let base = pick(
        cli.base_url.clone(),
        world,
        "MUME_BASE_URL",
        config.base_url.clone(),
        DEFAULT_BASE_URL,
    );
    let base_url = Sourced::new(check_base_url(&base.value)?, base.from);
    key::add_url_secrets(&base_url.value);
    let mut headers: Vec<(String, String, Source)> = Vec::new();
    for (name, value) in &config.headers {
        check_header(name, value).map_err(|e| {
            let file = config_path.unwrap_or(std::path::Path::new("?"));
            fail(CONFIG, format!("bad config file {}: {e}", file.display()))
        })?;
        headers.push((name.clone(), value.clone(), Source::File));
    }
    for h in &cli.headers {
        // The text may hold a key, so errors name the header, never its value.
        let (name, value) = h.split_once(':').ok_or_else(|| {
            fail(
                USAGE,
                "bad -H value: expected 'Name: value' (no `:` found)".to_string(),
            )
        })?;
        let (name, value) = (name.trim(), value.trim());
        check_header(name, value).map_err(|e| fail(USAGE, format!("bad -H: {e}")))?;
        headers.retain(|(n, _, _)| !n.eq_ignore_ascii_case(name));
        headers.push((name.to_string(), value.to_string(), Source::Flag));
    }
    let key = KeySource::find(world, config);
    key.add_secret();
    Ok(Transport {
        base_url,
        headers,
        ca_cert: flag_or_file(cli.cacert.as_ref(), config.ca_cert.as_ref()),
        key,
        retries: cli.retries,
        idle: Duration::from_secs_f64(cli.timeout),
        deadline: Deadline::after(world.started, cli.max_time),
        verbose: cli.verbose,
    })
}

fn input(cli: &Cli, world: &World) -> Result<Input> {
    // A path heads its file's fence: a line break or a backtick in it would end the fence
    // line, or let the text close it.
    let breaks_fence = |p: &&std::path::PathBuf| {
        let path = p.as_os_str().as_encoded_bytes();
        path.iter().any(|b| matches!(b, b'\n' | b'\r' | b'`'))
    };
    if let Some(path) = cli.files.iter().find(breaks_fence) {
        return Err(fail(
            USAGE,
            format!(
                "-f {:?}: a path holding a line break or a backtick cannot head its fence; rename the file, or pipe it in (mume WORDS < FILE)",
                path.display().to_string()
            ),
        ));
    }
    let readers = usize::from(cli.messages.as_deref() == Some("-"))
        + cli
            .tool_result
            .iter()
            .filter(|r| r.ends_with("=@-"))
            .count()
        + cli
            .params
            .iter()
            .filter(|p| super::params::reads_stdin(p))
            .count();
    if readers > 1 {
        return Err(fail(
            USAGE,
            "stdin can be read once: by --messages -, one --tool-result ID=@- or one -p NAME=@-; give the others from files",
        ));
    }
    let stdin_taken = readers == 1;
    let words = match &cli.command {
        Some(Command::Cmd(args)) => args.words.clone(),
        _ => cli.words.clone(),
    };
    Ok(Input {
        words,
        files: cli.files.clone(),
        stdin: !cli.no_stdin && !stdin_taken && !world.stdin_terminal,
        max_input: cli.max_input,
        messages: cli.messages.clone(),
        tool_results: cli.tool_result.clone(),
        editor: cli.editor.then(|| {
            let editor = world.var("VISUAL").or_else(|| world.var("EDITOR"));
            editor.unwrap_or("vi").to_string()
        }),
    })
}

fn output(cli: &Cli, world: &World, config: &ConfigFile) -> Result<Output> {
    let cmd = matches!(cli.command, Some(Command::Cmd(_)));
    let extract = if cmd {
        Extract::Command
    } else if cli.extract {
        Extract::First
    } else if cli.extract_last {
        Extract::Last
    } else {
        Extract::None
    };
    let (render_choice, render_command, mut render) = super::render::render(cli, world, config)?;
    if cmd {
        // A command is printed as it is, to be read, edited and run.
        render = super::Render::Raw;
    }
    Ok(Output {
        escape: world.stdout_terminal && !cli.json,
        json: cli.json,
        extract,
        reasoning: cli.reasoning,
        usage: cli.usage,
        render_choice,
        render_command,
        render,
        think: match (cli.think, config.think) {
            (Some(think), _) => Sourced::new(think, Source::Flag),
            (None, Some(think)) => Sourced::new(think, Source::File),
            (None, None) => Sourced::new(ThinkChoice::Split, Source::Default),
        },
    })
}

fn conversation(cli: &Cli, world: &World, config: &ConfigFile) -> Conversation {
    let target = if cli.continue_last {
        Some(Target::Latest)
    } else {
        cli.chat.clone().map(Target::Named)
    };
    let save = if cli.no_save {
        Sourced::new(false, Source::Flag)
    } else if world.var("MUME_NO_SAVE").is_some_and(|v| v != "0") {
        Sourced::new(false, Source::Env("MUME_NO_SAVE"))
    } else if let Some(s) = config.save {
        Sourced::new(s, Source::File)
    } else {
        Sourced::new(true, Source::Default)
    };
    Conversation { target, save }
}

/// A flag, else an environment variable, else the config file, else the default.
fn pick(
    flag: Option<String>,
    world: &World,
    env_name: &'static str,
    file: Option<String>,
    default: &str,
) -> Sourced<String> {
    if let Some(v) = flag {
        Sourced::new(v, Source::Flag)
    } else if let Some(v) = world.var(env_name) {
        Sourced::new(v.to_string(), Source::Env(env_name))
    } else if let Some(v) = file {
        Sourced::new(v, Source::File)
    } else {
        Sourced::new(default.to_string(), Source::Default)
    }
}

/// A setting that only a flag or the config file can give.
fn flag_or_file<T: Clone>(flag: Option<&T>, file: Option<&T>) -> Sourced<Option<T>> {
    match (flag, file) {
        (Some(v), _) => Sourced::new(Some(v.clone()), Source::Flag),
        (None, Some(v)) => Sourced::new(Some(v.clone()), Source::File),
        (None, None) => Sourced::new(None, Source::Default),
    }
}
