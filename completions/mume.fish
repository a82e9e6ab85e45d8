# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mume_global_optspecs
    string join \n m/model= r/role= p/param= s/system= t/temperature= top-p= max-tokens= max-completion-tokens= reasoning-effort= stop= seed= o/option= tools= tool-choice= schema= a/attach= stream no-stream dry-run json x/extract extract-last reasoning usage= q/quiet v/verbose render= think= color= c/continue chat= messages= tool-result= no-save base-url= H/header= cacert= retries= timeout= max-time= f/file= no-stdin e/editor max-input= generate= h/help V/version
end

function __fish_mume_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mume_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mume_using_subcommand
    set -l cmd (__fish_mume_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mume -n "__fish_mume_needs_command" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_needs_command" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_needs_command" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_needs_command" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_needs_command" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_needs_command" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_needs_command" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_needs_command" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_needs_command" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_needs_command" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_needs_command" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_needs_command" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_needs_command" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_needs_command" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_needs_command" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_needs_command" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_needs_command" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_needs_command" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_needs_command" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_needs_command" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_needs_command" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_needs_command" -l messages -d 'Send these messages (a JSON array or JSON Lines) before the prompt; `-` reads stdin' -r -F
complete -c mume -n "__fish_mume_needs_command" -l tool-result -d 'Answer a tool call: TEXT, @FILE or @- for stdin (repeatable; needs -c or --chat)' -r
complete -c mume -n "__fish_mume_needs_command" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_needs_command" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_needs_command" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_needs_command" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_needs_command" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_needs_command" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_needs_command" -s f -l file -d 'Add a file\'s text to the prompt, fenced under its path (repeatable)' -r -F
complete -c mume -n "__fish_mume_needs_command" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_needs_command" -l generate -d 'Print a completion script or the man page' -r -f -a "bash\t''
zsh\t''
fish\t''
elvish\t''
powershell\t''
man\t''"
complete -c mume -n "__fish_mume_needs_command" -l stream -d 'Stream the answer as it is written [default: on when stdout is a terminal]'
complete -c mume -n "__fish_mume_needs_command" -l no-stream -d 'Wait for the whole answer before printing it'
complete -c mume -n "__fish_mume_needs_command" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_needs_command" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_needs_command" -s x -l extract -d 'Print only the first fenced code block of the answer'
complete -c mume -n "__fish_mume_needs_command" -l extract-last -d 'Print only the last fenced code block of the answer'
complete -c mume -n "__fish_mume_needs_command" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_needs_command" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_needs_command" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_needs_command" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_needs_command" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_needs_command" -l no-stdin -d 'Do not read stdin, even when it is not a terminal'
complete -c mume -n "__fish_mume_needs_command" -s e -l editor -d 'Write the prompt in $VISUAL or $EDITOR (else vi), starting from the words given'
complete -c mume -n "__fish_mume_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_needs_command" -s V -l version -d 'Print version'
complete -c mume -n "__fish_mume_needs_command" -a "models" -d 'List the models the server offers, one id a line'
complete -c mume -n "__fish_mume_needs_command" -a "history" -d 'List saved conversations, newest first'
complete -c mume -n "__fish_mume_needs_command" -a "roles" -d 'List the roles, from the config file and role files, and where each comes from'
complete -c mume -n "__fish_mume_needs_command" -a "batch" -d 'Send one request per row of a JSON Lines file, several at once, results in order'
complete -c mume -n "__fish_mume_needs_command" -a "cmd" -d 'Ask for one shell command and print it, to read, edit and run yourself'
complete -c mume -n "__fish_mume_needs_command" -a "shell-init" -d 'Print a snippet that binds a key (Alt-m) to turn the command line into a command: eval "$(mume shell-init bash)", or | source in fish'
complete -c mume -n "__fish_mume_needs_command" -a "config" -d 'Show the effective settings and where each came from'
complete -c mume -n "__fish_mume_using_subcommand models" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand models" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand models" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand models" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand models" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand models" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand models" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand models" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand models" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand models" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand models" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand models" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand models" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand models" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand models" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand models" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand models" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand models" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand models" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand models" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand models" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand models" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand models" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand models" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand models" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand models" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand models" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand models" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand models" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand models" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand models" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand models" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand models" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand models" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand models" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand models" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -f -a "show" -d 'Print one conversation (`--json`: as a messages array)'
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -f -a "rm" -d 'Delete one conversation'
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -f -a "search" -d 'List the conversations where a message holds TEXT (any case), newest first'
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -f -a "prune" -d 'Delete the conversations last written more than AGE ago; --dry-run lists them'
complete -c mume -n "__fish_mume_using_subcommand history; and not __fish_seen_subcommand_from show rm search prune stats" -f -a "stats" -d 'Sum the requests, tokens and cost of the stored answers (--json: a line a group)'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from search" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l older-than -d 'How old: a number and a unit, e.g. 30d, 12h, 2w' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l since -d 'Only answers of the last AGE: a number and a unit, e.g. 7d, 12h, 2w' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l by -d 'A sum for each model, or each day (UTC)' -r -f -a "model\t''
day\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand history; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l names -d 'Print only the names, one a line, as written (for scripts and completion)'
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand roles; and not __fish_seen_subcommand_from show" -f -a "show" -d 'Print a role as a role file: its settings, and its text with its parameters filled (-p, then defaults)'
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand roles; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l output -d 'Write the results to FILE; a run with the same FILE resumes where this one stopped' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -s j -l jobs -d 'Requests at once, 1 to 256 [default: 4]' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l rpm -d 'Start at most N requests a minute' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l max-rows -d 'With --submit: at most N rows a provider batch [default: 50000]' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l max-bytes -d 'With --submit: at most SIZE of request lines a provider batch [default: 200MB]' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l text -d 'Read every line as a plain-text prompt'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l raw -d 'Write results in the OpenAI Batch API\'s output format, with whole response bodies'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l submit -d 'Run the rows on the server\'s Batch API instead of here; prints the job\'s id'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l wait -d 'With --submit: wait for the job to end, then fetch its results'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -a "status" -d 'Show a job: rows done and failed, each provider batch\'s status'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -a "fetch" -d 'Write a job\'s results in input order, as a local run writes them'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -a "cancel" -d 'Cancel a job\'s batches that are still running'
complete -c mume -n "__fish_mume_using_subcommand batch; and not __fish_seen_subcommand_from status fetch cancel list" -a "list" -d 'List the jobs submitted from this machine, newest first'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l wait -d 'Wait until every batch of the job has ended'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l output -d 'Write to FILE instead of the --output given at submit' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l raw -d 'Results in the OpenAI Batch API\'s output format'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l wait -d 'Wait until every batch of the job has ended'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from fetch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from cancel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l remote -d 'List the server\'s batches instead'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand batch; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand cmd" -l shell -d 'The shell the command is for [default: the name of $SHELL, else sh]' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand cmd" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand cmd" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand cmd" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand cmd" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand cmd" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand cmd" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand cmd" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand cmd" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand cmd" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand cmd" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand cmd" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand cmd" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand cmd" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand cmd" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand cmd" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand cmd" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand cmd" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand cmd" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand cmd" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand cmd" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand shell-init" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand shell-init" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand shell-init" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand shell-init" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand shell-init" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand shell-init" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand shell-init" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand shell-init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mume -n "__fish_mume_using_subcommand config; and not __fish_seen_subcommand_from path" -f -a "path" -d 'Print the path of the config file'
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -s m -l model -d 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -s r -l role -d 'Apply the settings of a role: a config table or a role file (`mume roles` lists them), or the role file at PATH' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -s p -l param -d 'Fill the role\'s {{NAME}} with VALUE (repeatable); VALUE @FILE reads a file, @- stdin' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -s s -l system -d 'System prompt, sent as a leading system message' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -s t -l temperature -d 'Sampling temperature, 0 to 2' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l top-p -d 'Nucleus sampling: the probability mass to sample from, 0 to 1' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l max-tokens -d 'Upper limit on the tokens of the answer' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l max-completion-tokens -d 'Upper limit on the tokens of the answer, reasoning included (newer OpenAI models)' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l reasoning-effort -d 'How hard a reasoning model thinks' -r -f -a "minimal\t''
low\t''
medium\t''
high\t''"
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l stop -d 'A sequence at which the model stops (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l seed -d 'Seed for sampling, for repeatable answers where the server supports it' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -s o -l option -d 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l tools -d 'Tool definitions: a JSON array of OpenAI tool objects' -r -F
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l tool-choice -d 'Which tool the model may call' -r -f -a "auto\t''
none\t''
required\t''"
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l schema -d 'Ask for JSON that follows this JSON Schema (a file or inline JSON)' -r -F
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -s a -l attach -d 'Attach an image file or URL to the prompt (repeatable)' -r -F
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l usage -d 'Show token counts on stderr after the answer; `--usage=json`: one JSON line with tokens, cost, request id and timings' -r -f -a "text\t''
json\t''"
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l render -d 'When to draw a text answer as Markdown: on a terminal (auto), into a pipe too (always), or never [env: MUME_RENDER]' -r -f -a "auto\t'On a terminal only'
always\t'Into a pipe too (for `less -R`)'
never\t'Never: the answer\'s bytes as they came'"
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l think -d 'Reasoning the model writes inside its answer as <think>…</think>: taken out of the answer (split, the default; shown with --reasoning) or kept in it' -r -f -a "split\t'Taken out of the content into the reasoning'
keep\t'Left in the content'"
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l color -d 'When to colour stderr' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l chat -d 'Continue a conversation of the store (its name, or the start of its id), or a .jsonl file; a new name or file starts one' -r -F
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l base-url -d 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]' -r -f
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -s H -l header -d 'Extra request header (repeatable)' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l retries -d 'How often to retry a failed request' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l timeout -d 'Fail when no data arrives for this long' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l max-time -d 'Hard limit on the whole run, retries included' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l max-input -d 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)' -r
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l dry-run -d 'Print the request body that would be sent, and send nothing'
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l json -d 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line'
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l reasoning -d 'Show the model\'s reasoning text on stderr'
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -s q -l quiet -d 'Silence warnings and the waiting indicator'
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'Trace the request and response on stderr (the key redacted)'
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -s c -l continue -d 'Continue the most recent conversation'
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -l no-save -d 'Do not save this exchange [env: MUME_NO_SAVE=1]'
complete -c mume -n "__fish_mume_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help (see more with \'--help\')'
