
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'mume' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'mume'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'mume' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model id, or an alias from the config file [env: MUME_MODEL] [default: openai/gpt-4.1-mini]')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'System prompt, sent as a leading system message')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'System prompt, sent as a leading system message')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Sampling temperature, 0 to 2')
            [CompletionResult]::new('--temperature', '--temperature', [CompletionResultType]::ParameterName, 'Sampling temperature, 0 to 2')
            [CompletionResult]::new('--top-p', '--top-p', [CompletionResultType]::ParameterName, 'Nucleus sampling: the probability mass to sample from, 0 to 1')
            [CompletionResult]::new('--max-tokens', '--max-tokens', [CompletionResultType]::ParameterName, 'Upper limit on the tokens of the answer')
            [CompletionResult]::new('--stop', '--stop', [CompletionResultType]::ParameterName, 'A sequence at which the model stops (repeatable)')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed for sampling, for repeatable answers where the server supports it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)')
            [CompletionResult]::new('--option', '--option', [CompletionResultType]::ParameterName, 'Any top-level request field; VALUE is parsed as JSON, else sent as a string (repeatable)')
            [CompletionResult]::new('--tools', '--tools', [CompletionResultType]::ParameterName, 'Tool definitions: a JSON array of OpenAI tool objects')
            [CompletionResult]::new('--tool-choice', '--tool-choice', [CompletionResultType]::ParameterName, 'Which tool the model may call')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Ask for JSON that follows this JSON Schema (a file or inline JSON)')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Attach an image file or URL to the prompt (repeatable)')
            [CompletionResult]::new('--attach', '--attach', [CompletionResultType]::ParameterName, 'Attach an image file or URL to the prompt (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour stderr')
            [CompletionResult]::new('--chat', '--chat', [CompletionResultType]::ParameterName, 'Use a named conversation of the store, or a .jsonl file, creating it when missing')
            [CompletionResult]::new('--messages', '--messages', [CompletionResultType]::ParameterName, 'Send these messages (a JSON array or JSON Lines) before the prompt; `-` reads stdin')
            [CompletionResult]::new('--tool-result', '--tool-result', [CompletionResultType]::ParameterName, 'Answer a tool call: TEXT, @FILE or @- for stdin (repeatable; needs -c or --chat)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header (repeatable)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'How often to retry a failed request')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Fail when no data arrives for this long')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Hard limit on the whole run, retries included')
            [CompletionResult]::new('--max-input', '--max-input', [CompletionResultType]::ParameterName, 'Largest stdin accepted, in bytes (K, M, G suffixes allowed)')
            [CompletionResult]::new('--generate', '--generate', [CompletionResultType]::ParameterName, 'Print a completion script or the man page')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Stream the answer as it is written [default: on when stdout is a terminal]')
            [CompletionResult]::new('--no-stream', '--no-stream', [CompletionResultType]::ParameterName, 'Wait for the whole answer before printing it')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request body that would be sent, and send nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Print only the first fenced code block of the answer')
            [CompletionResult]::new('--extract', '--extract', [CompletionResultType]::ParameterName, 'Print only the first fenced code block of the answer')
            [CompletionResult]::new('--extract-last', '--extract-last', [CompletionResultType]::ParameterName, 'Print only the last fenced code block of the answer')
            [CompletionResult]::new('--reasoning', '--reasoning', [CompletionResultType]::ParameterName, 'Show the model''s reasoning text on stderr')
            [CompletionResult]::new('--usage', '--usage', [CompletionResultType]::ParameterName, 'Show token counts on stderr after the answer')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence warnings and the waiting indicator')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence warnings and the waiting indicator')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace the request and response on stderr (the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace the request and response on stderr (the key redacted)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Continue the most recent conversation')
            [CompletionResult]::new('--continue', '--continue', [CompletionResultType]::ParameterName, 'Continue the most recent conversation')
            [CompletionResult]::new('--no-save', '--no-save', [CompletionResultType]::ParameterName, 'Do not save this exchange [env: MUME_NO_SAVE=1]')
            [CompletionResult]::new('--no-stdin', '--no-stdin', [CompletionResultType]::ParameterName, 'Do not read stdin, even when it is not a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('models', 'models', [CompletionResultType]::ParameterValue, 'List the models the server offers, one id a line')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List saved conversations, newest first')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the effective settings and where each came from')
            break
        }
        'mume;models' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour stderr')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header (repeatable)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'How often to retry a failed request')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Fail when no data arrives for this long')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Hard limit on the whole run, retries included')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence warnings and the waiting indicator')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence warnings and the waiting indicator')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace the request and response on stderr (the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace the request and response on stderr (the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'mume;history' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour stderr')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header (repeatable)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'How often to retry a failed request')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Fail when no data arrives for this long')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Hard limit on the whole run, retries included')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence warnings and the waiting indicator')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence warnings and the waiting indicator')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace the request and response on stderr (the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace the request and response on stderr (the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print one conversation (`--json`: as a messages array)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete one conversation')
            break
        }
        'mume;history;show' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour stderr')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header (repeatable)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'How often to retry a failed request')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Fail when no data arrives for this long')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Hard limit on the whole run, retries included')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence warnings and the waiting indicator')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence warnings and the waiting indicator')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace the request and response on stderr (the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace the request and response on stderr (the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'mume;history;rm' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour stderr')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header (repeatable)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'How often to retry a failed request')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Fail when no data arrives for this long')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Hard limit on the whole run, retries included')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence warnings and the waiting indicator')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence warnings and the waiting indicator')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace the request and response on stderr (the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace the request and response on stderr (the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'mume;config' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour stderr')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header (repeatable)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'How often to retry a failed request')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Fail when no data arrives for this long')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Hard limit on the whole run, retries included')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence warnings and the waiting indicator')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence warnings and the waiting indicator')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace the request and response on stderr (the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace the request and response on stderr (the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the path of the config file')
            break
        }
        'mume;config;path' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour stderr')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'API base URL [env: MUME_BASE_URL] [default: https://mume.ai/api/v1]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header (repeatable)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'How often to retry a failed request')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Fail when no data arrives for this long')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Hard limit on the whole run, retries included')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: the response body as received, or one line per streamed event; with history and config, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence warnings and the waiting indicator')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence warnings and the waiting indicator')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace the request and response on stderr (the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace the request and response on stderr (the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
