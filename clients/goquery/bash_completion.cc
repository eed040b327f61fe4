#include "clients/goquery/bash_completion.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace goprobe::goquery {
namespace {

constexpr const char* kAttributes[] = {
    "sip",       "dip",      "dport",    "proto",     "iface",         "time", "hostname",
    "hostid",    "src",      "dst",      "port",      "talk_conv",     "talk_src",
    "talk_dst",  "apps_port", "agg_talk_port", "raw",
};
constexpr const char* kConditionAttributes[] = {
    "sip", "dip", "host", "snet", "dnet", "net", "dport", "proto", "dir",
};
constexpr const char* kProtocols[] = {
    "tcp", "udp", "icmp", "icmpv6", "gre", "esp", "ah", "sctp", "igmp",
};

// Placeholders are @NAME@; the script's own text has no '@'.
constexpr char kScript[] = R"SCRIPT(# bash completion for goquery, printed by `goquery completion bash`.
# Install: goquery completion bash > /usr/share/bash-completion/completions/goquery
# or source it from ~/.bashrc: source <(goquery completion bash)

_goquery_value_flags=' @VALUE_FLAGS@ '
_goquery_all_flags='@VALUE_FLAGS@ @SWITCHES@'
_goquery_attributes='@ATTRIBUTES@'
_goquery_commands='list examples completion help'
_goquery_cond_attributes='@COND_ATTRIBUTES@'
_goquery_protocols='@PROTOCOLS@'

# Candidates from the words "$1" for the last item of the comma-separated
# list "$2", each printed with the items before it; items already in the
# list are not offered again.
_goquery_comma_list() {
  local head="" item="$2" c
  if [[ "$2" == *,* ]]; then
    head="${2%,*},"
    item="${2##*,}"
  fi
  for c in $(compgen -W "$1" -- "$item"); do
    [[ ",$head" == *",$c,"* ]] || printf '%s\n' "$head$c"
  done
}

# The interfaces with data where this command line looks: goquery list with
# the line's own data source options, briefly; nothing when that fails.
_goquery_interfaces() {
  local -a source=()
  local i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    case "$w" in
      -d | --db-path | --server | --api-key-file | --tls-ca | --tls-cert | --tls-key | --tls-server-name)
        if ((i + 1 < COMP_CWORD)); then
          source+=("$w" "${COMP_WORDS[i + 1]/#\~/$HOME}")
        fi
        ((i++))
        ;;
      --tls) source+=("$w") ;;
    esac
  done
  timeout @LIST_SECONDS@ "${COMP_WORDS[0]/#\~/$HOME}" "${source[@]}" list -e csv 2>/dev/null |
    tail -n +2 | cut -d, -f1 | sort -u
}

# Completes the condition "$1" (a -c value, possibly opened with a quote):
# the last token, after a space or '(', from what may come there.
_goquery_condition() {
  local text="${1#[\"\']}" head="" token re='^(.*[[:space:](])([^[:space:](]*)$'
  token="$text"
  if [[ "$text" =~ $re ]]; then
    head="${BASH_REMATCH[1]}"
    token="${BASH_REMATCH[2]}"
  fi
  local -a before
  read -ra before <<<"${head//[()]/ }"
  local n=${#before[@]} last="" last2="" words
  ((n > 0)) && last="${before[n - 1],,}"
  ((n > 1)) && last2="${before[n - 2],,}"
  case "$last" in
    "" | and | or | not | '&&' | '||' | '&' | '|' | '!')
      words="$_goquery_cond_attributes not" ;;
    sip | src | dip | dst | host | snet | dnet | net | dir | direction)
      words='= !=' ;;
    dport | port | proto | protocol | ipproto)
      words='= != < > <= >=' ;;
    = | '!=' | '<' | '>' | '<=' | '>=' | eq | ne | neq | lt | gt | le | ge)
      case "$last2" in
        dir | direction) words='in out uni bi' ;;
        proto | protocol | ipproto) words="$_goquery_protocols" ;;
        *) return ;;  # an address, network or port: nothing to offer
      esac
      ;;
    *) words='and or' ;;
  esac
  local c
  for c in $(compgen -W "$words" -- "$token"); do
    printf '%s\n' "$head$c"
  done
}

_goquery() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev=""
  ((COMP_CWORD > 0)) && prev="${COMP_WORDS[COMP_CWORD - 1]}"
  COMPREPLY=()
  case "$prev" in
    -d | --db-path)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -d -- "$cur")
      return
      ;;
    -o | --output | --stored-query | --api-key-file | --tls-ca | --tls-cert | --tls-key)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return
      ;;
    -e | --format)
      mapfile -t COMPREPLY < <(compgen -W 'txt json csv' -- "$cur")
      return
      ;;
    -s | --sort-by)
      mapfile -t COMPREPLY < <(compgen -W 'bytes packets time' -- "$cur")
      return
      ;;
    --resolution)
      mapfile -t COMPREPLY < <(compgen -W '5m 15m 1h 6h 1d auto' -- "$cur")
      return
      ;;
    -i | --ifaces)
      compopt -o nospace 2>/dev/null
      local bang=""
      [[ "$cur" == '!'* ]] && bang='!'
      mapfile -t COMPREPLY < <(_goquery_comma_list "any $(_goquery_interfaces)" "${cur#!}")
      ((${#COMPREPLY[@]})) && COMPREPLY=("${COMPREPLY[@]/#/$bang}")
      return
      ;;
    -c | --condition)
      compopt -o nospace 2>/dev/null
      mapfile -t COMPREPLY < <(_goquery_condition "$cur")
      # Readline closes an open quote after a lone match, which would end the
      # condition mid-way; a second, longer candidate keeps the match open.
      if ((${#COMPREPLY[@]} == 1)) && [[ "$cur" == [\"\']* ]]; then
        COMPREPLY+=("${COMPREPLY[0]} ")
      fi
      return
      ;;
  esac
  if [[ "$_goquery_value_flags" == *" $prev "* ]]; then
    return  # a value with nothing to offer: a time, a number, an address
  fi
  if [[ "$cur" == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$_goquery_all_flags" -- "$cur")
    return
  fi
  # What the line asks for so far: a command, a query, or neither yet.
  local i w command="" query=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    if [[ "$_goquery_value_flags" == *" $w "* ]]; then
      ((i++))
    elif [[ "$w" != -* ]]; then
      if [[ -z "$command" && -z "$query" && " $_goquery_commands " == *" $w "* ]]; then
        command="$w"
      elif [[ -z "$command" && -z "$query" ]]; then
        query="$w"
      elif [[ "$command" == completion ]]; then
        query="$w"
      fi
    fi
  done
  case "$command" in
    completion)
      [[ -z "$query" ]] && mapfile -t COMPREPLY < <(compgen -W 'bash' -- "$cur")
      ;;
    "")
      [[ -n "$query" ]] && return
      compopt -o nospace 2>/dev/null
      mapfile -t COMPREPLY < <(_goquery_comma_list "$_goquery_attributes" "$cur")
      # No space after a word: the next may be a comma and another attribute.
      [[ "$cur" != *,* ]] && COMPREPLY+=($(compgen -W "$_goquery_commands" -- "$cur"))
      ;;
  esac
}

complete -F _goquery goquery
)SCRIPT";

}  // namespace

absl::Span<const char* const> CompletedAttributes() { return kAttributes; }
absl::Span<const char* const> CompletedConditionAttributes() { return kConditionAttributes; }
absl::Span<const char* const> CompletedProtocols() { return kProtocols; }

std::string BashCompletionScript(const CompletionFlags& flags) {
  return absl::StrReplaceAll(
      kScript, {
                   {"@VALUE_FLAGS@", absl::StrJoin(flags.with_value, " ")},
                   {"@SWITCHES@", absl::StrJoin(flags.switches, " ")},
                   {"@ATTRIBUTES@", absl::StrJoin(kAttributes, " ")},
                   {"@COND_ATTRIBUTES@", absl::StrJoin(kConditionAttributes, " ")},
                   {"@PROTOCOLS@", absl::StrJoin(kProtocols, " ")},
                   {"@LIST_SECONDS@", absl::StrCat(kInterfaceListSeconds)},
               });
}

}  // namespace goprobe::goquery
