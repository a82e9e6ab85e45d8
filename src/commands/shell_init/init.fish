# mume shell-init fish: a key (Alt-m, or $MUME_CMD_KEY in bind's notation, such as \cg)
# turns the wish on the command line into a command, to read, edit and run; undo
# (Ctrl-z) brings the wish back.
function __mume_cmd
    set -l wish (commandline)
    if test -z (string trim -- "$wish")
        return 0
    end
    printf '\n%s' 'mume: asking for a command...' >&2
    set -l answer (mume cmd -- "$wish" </dev/null | string collect)
    if test $pipestatus[1] -eq 0
        printf '\r\033[K' >&2
        commandline -r -- $answer
    end
    commandline -f repaint
end
if set -q MUME_CMD_KEY
    bind $MUME_CMD_KEY __mume_cmd
else
    bind \em __mume_cmd
end
