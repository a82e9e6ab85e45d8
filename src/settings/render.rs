//! How a text answer on stdout is drawn: `--render`, `MUME_RENDER`, the config's `render`
//! and `render_command`, `NO_COLOR` and `TERM=dumb`, and whether stdout is a terminal.

use anyhow::Result;

use super::{Render, Source, Sourced, World};
use crate::check::RenderChoice;
use crate::cli::Cli;
use crate::config::ConfigFile;
use crate::error::{CONFIG, fail};

/// How a stored conversation is drawn by `mume history show`, which runs without the
/// settings (a broken config file must not hide the store): the same rules, the config's
/// `render` and `render_command` read when the file reads, left out when it does not; and
/// whether text shown as it is must be escaped (stdout is a terminal).
pub(crate) fn for_history(cli: &Cli) -> Result<(Render, bool)> {
    let world = World::read_leniently(cli);
    let config = world
        .config
        .as_ref()
        .and_then(|text| crate::config::parse(&text.text, &text.path).ok())
        .unwrap_or_default();
    Ok((render(cli, &world, &config)?.2, world.stdout_terminal))
}

/// The widest a terminal is taken to be when its width cannot be read.
const COLUMNS: usize = 80;

/// The choice as given and where, the other renderer if one is set, and what they come
/// to here.
pub(super) fn render(
    cli: &Cli,
    world: &World,
    config: &ConfigFile,
) -> Result<(Sourced<RenderChoice>, Option<Sourced<String>>, Render)> {
    let choice = if let Some(choice) = cli.render {
        Sourced::new(choice, Source::Flag)
    } else if let Some(text) = world.var("MUME_RENDER") {
        let choice = RenderChoice::parse(text).ok_or_else(|| {
            let text = crate::text::one_line(text);
            fail(
                CONFIG,
                format!("MUME_RENDER is `{text}`: it takes auto, always or never"),
            )
        })?;
        Sourced::new(choice, Source::Env("MUME_RENDER"))
    } else if let Some(choice) = config.render {
        Sourced::new(choice, Source::File)
    } else {
        Sourced::new(RenderChoice::Auto, Source::Default)
    };
    // NO_COLOR and a dumb terminal ask for no looks; `always`, asked for, wins.
    let plain_asked = world.var("NO_COLOR").is_some() || world.var("TERM") == Some("dumb");
    let draw = match choice.value {
        RenderChoice::Always => true,
        RenderChoice::Never => false,
        RenderChoice::Auto => world.stdout_terminal && !plain_asked,
    };
    let command = match world.var("MUME_RENDER_COMMAND") {
        Some(command) => Some(Sourced::new(
            command.to_string(),
            Source::Env("MUME_RENDER_COMMAND"),
        )),
        None => (config.render_command.clone()).map(|command| Sourced::new(command, Source::File)),
    };
    let render = match (draw, &command) {
        (false, _) => Render::Raw,
        (true, Some(command)) => Render::Command(command.value.clone()),
        (true, None) => Render::Markdown {
            columns: world.columns.map_or(COLUMNS, usize::from),
        },
    };
    Ok((choice, command, render))
}
