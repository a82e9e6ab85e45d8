# mume shell-init zsh: a key (Alt-m, or $MUME_CMD_KEY in bindkey's notation, such as
# "^G") turns the wish on the command line into a command, to read, edit and run; undo
# brings the wish back.
__mume_cmd() {
    emulate -L zsh
    [[ -n ${BUFFER//[[:space:]]/} ]] || return 0
    local err answer
    err=$(mktemp "${TMPDIR:-/tmp}/mume-cmd.XXXXXX") || return 1
    zle -M "mume: asking for a command..."
    zle -R
    if answer=$(mume cmd -- "$BUFFER" </dev/null 2>"$err"); then
        BUFFER=$answer
        CURSOR=${#BUFFER}
        zle -M ""
    else
        zle -M "$(tail -n 1 -- "$err")"
    fi
    rm -f -- "$err"
}
zle -N __mume_cmd
bindkey "${MUME_CMD_KEY:-^[m}" __mume_cmd
