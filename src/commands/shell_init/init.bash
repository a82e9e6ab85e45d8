# mume shell-init bash: a key (Alt-m, or $MUME_CMD_KEY in readline's notation, such as
# "\C-g") turns the wish on the command line into a command, to read, edit and run.
__mume_cmd() {
    local wish=$READLINE_LINE answer
    [[ -n ${wish//[[:space:]]/} ]] || return 0
    printf 'mume: asking for a command...\r' >&2
    if answer=$(mume cmd -- "$wish" </dev/null); then
        printf '\033[K' >&2
        READLINE_LINE=$answer
        READLINE_POINT=${#answer}
    fi
}
bind -x "\"${MUME_CMD_KEY:-\\em}\": __mume_cmd"
