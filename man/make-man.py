#!/usr/bin/python3
"""Writes the manual pages from their one source each, so that they cannot drift:
ardoise(8) from the program's own description of its commands (`ardoise --experimental-dump-help`, the argument
parser's), ardoise.toml(5) from the comments of Config/ardoise.toml (every key, with its default).

ardoise-fleet(8) and ardoise-console(8) the same way, from their own `--experimental-dump-help`.

usage: make-man.py DUMP.json ardoise.toml OUTPUT-FOLDER VERSION DATE
       make-man.py --program ardoise-fleet|ardoise-console DUMP.json OUTPUT-FOLDER VERSION DATE
"""
import json
import re
import sys

if sys.argv[1] == "--program":
    PROGRAM = sys.argv[2]
    dump, out, version, date = sys.argv[3:7]
else:
    dump, toml, out, version, date = sys.argv[1:6]
    PROGRAM = "ardoise"


def esc(text):
    """Text as groff reads it: backslashes, a leading dot or quote, hyphens in names."""
    text = text.replace("\\", "\\e")
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def flag(name):
    return esc(name).replace("-", "\\-")


def option_label(argument):
    names = ", ".join(("\\-" if n["kind"] == "short" else "\\-\\-") + flag(n["name"]) for n in argument.get("names", []))
    if argument["kind"] == "positional":
        return "\\fI" + esc(argument.get("valueName", "value")) + "\\fR"
    if argument["kind"] == "option":
        names += " \\fI" + esc(argument.get("valueName", "value")) + "\\fR"
    return "\\fB" + names + "\\fR"


def command_pages(command, path, lines):
    arguments = [a for a in command.get("arguments", []) if a.get("shouldDisplay", True)]
    subcommands = [c for c in command.get("subcommands", []) if c.get("shouldDisplay", True) and c["commandName"] != "help"]
    if path:
        lines.append(".SS " + esc(" ".join(path)))
        lines.append(esc(command.get("abstract", "")))
        if command.get("discussion"):
            lines.append(".PP")
            lines.append(esc(command["discussion"]))
        usage = " ".join(path)
        if subcommands:
            usage += " " + "|".join(c["commandName"] for c in subcommands)
        lines.append(".PP")
        lines.append("\\fB" + flag(PROGRAM) + " " + esc(usage) + "\\fR" + ("" if subcommands else " [options]"))
        for argument in arguments:
            lines.append(".TP")
            lines.append(option_label(argument))
            text = argument.get("abstract", "")
            if argument.get("allValues"):
                text += " (" + ", ".join(argument["allValues"]) + ")"
            if argument.get("defaultValue"):
                text += " [" + argument["defaultValue"] + "]"
            lines.append(esc(text))
    for sub in subcommands:
        command_pages(sub, path + [sub["commandName"]], lines)


def program_page(name, synopsis, description, exit3, files, see_also):
    """A program's page: its name, synopsis, description and exit codes, then a section per command, its files."""
    tool = json.load(open(dump, encoding="utf-8"))["command"]
    lines = [
        '.TH %s 8 "%s" "ardoise %s" "ardoise"' % (flag(name.upper()), date, version),
        ".SH NAME",
        flag(name) + " \\- " + esc(tool.get("abstract", "")),
        ".SH SYNOPSIS",
        synopsis,
        ".SH DESCRIPTION",
        esc(description),
        ".PP",
        esc("Exit codes / codes de sortie: 0 ok; 1 the operation failed / l'opération a échoué; 2 bad usage or input / "
            "mauvaise saisie; 3 " + exit3 + "."),
        ".SH COMMANDS",
    ]
    command_pages(tool, [], lines)
    lines.append(".SH FILES")
    for path, text in files:
        lines += [".TP", "\\fI" + flag(path) + "\\fR", esc(text)]
    lines += [".SH SEE ALSO", see_also]
    open(out + "/" + name + ".8", "w", encoding="utf-8").write("\n".join(lines) + "\n")


if PROGRAM == "ardoise-fleet":
    program_page(
        "ardoise-fleet",
        "\\fBardoise\\-fleet\\fR \\fICOMMAND\\fR [\\fB\\-\\-database\\fR \\fIURL\\fR] [\\fB\\-\\-password\\-file\\fR \\fIFILE\\fR] ...",
        "ardoise-fleet keeps the access journals of several kiosks apart from them, on a PostgreSQL server: each kiosk "
        "sends its events with their chain and seal (upload, every hour by ardoise-fleet-upload.timer), and the store's "
        "copy is checked as a kiosk's journal is (verify). / ardoise-fleet garde les journaux des accès de plusieurs "
        "postes à part, sur un serveur PostgreSQL : chaque poste envoie ses événements avec leur chaîne et leur sceau, "
        "et la copie est vérifiée comme le journal d'un poste.",
        "not a kiosk's account / ce compte n'est pas celui d'un poste",
        [("/etc/ardoise/ardoise.toml", "Its [fleet] section: database, password_file, ca_file; see ardoise.toml(5)."),
         ("ardoise-fleet-upload.timer", "Sends the journal every hour once enabled / envoie le journal toutes les heures une fois "
                                        "activé: systemctl enable --now ardoise-fleet-upload.timer")],
        "ardoise(8), ardoise.toml(5), systemd.timer(5)")
    sys.exit(0)

if PROGRAM == "ardoise-console":
    program_page(
        "ardoise-console",
        "\\fBardoise\\-console\\fR [\\fBserve\\fR] [\\fB\\-\\-database\\fR \\fIURL\\fR] [\\fB\\-\\-listen\\fR \\fIHOST:PORT\\fR] ... | \\fBadd\\-staff\\fR \\fINAME\\fR",
        "ardoise-console shows staff the access journal in a web browser, read only: this computer's journal, or the "
        "fleet's store (ardoise-fleet). Staff sign in with a name and a password; it listens on this machine only (publish "
        "it through a TLS proxy). / ardoise-console montre au personnel le journal des accès dans un navigateur, en "
        "lecture seule : celui de ce poste, ou la base de la flotte. Il écoute sur cette machine seulement.",
        "permission denied / permission refusée",
        [("/etc/ardoise/console-staff", "The staff accounts, name:bcrypt-hash, mode 600 / les comptes du personnel (add-staff)."),
         ("/etc/default/ardoise-console", "ARDOISE_CONSOLE_OPTIONS for ardoise-console.service / les options du service.")],
        "ardoise(8), ardoise-fleet(8)")
    sys.exit(0)

program_page(
    "ardoise",
    "\\fBardoise\\fR [\\fB\\-\\-config\\fR \\fIFILE\\fR] [\\fB\\-\\-state\\-dir\\fR \\fIDIR\\fR] \\fICOMMAND\\fR ...",
    "ardoise erases what each session leaves on a public computer (a kiosk of a digital-access space, a library, a "
    "waiting room), tells the person at the start what is recorded, warns during the session, and keeps the security "
    "access journal. / ardoise efface ce que chaque session laisse sur un poste public, informe la personne de ce qui "
    "est enregistré, l'avertit pendant la session et tient le journal des accès.",
    "permission denied / permission refusée",
    [("/etc/ardoise/ardoise.toml", "The configuration / la configuration: see ardoise.toml(5)."),
     ("/var/lib/ardoise/", "The access journal, the references of the kiosk accounts / le journal des accès, les références des comptes.")],
    "ardoise.toml(5), systemd.service(5), pam-auth-update(8)")

# ardoise.toml(5): every section and key of the shipped file, its comment lines, its default value.
page = ['.TH ARDOISE.TOML 5 "%s" "ardoise %s" "ardoise"' % (date, version),
        ".SH NAME", "ardoise.toml \\- " + esc("the configuration of ardoise / la configuration d'ardoise"),
        ".SH DESCRIPTION",
        esc("/etc/ardoise/ardoise.toml, TOML, UTF-8, at most 1 MB. A key left out takes its default (shown here as in the "
            "shipped file). A mistake is reported with the file, the line and the key, and the service keeps running with "
            "the configuration it had. / Une clé absente prend sa valeur par défaut ; une erreur est signalée avec le "
            "fichier, la ligne et la clé, et le service garde la configuration qu'il avait."),
        ".SH KEYS"]
comment = []
section = None
for raw in open(toml, encoding="utf-8").read().split("\n"):
    line = raw.strip()
    if line.startswith("#"):
        text = line.lstrip("#").strip()
        # A commented-out example of a table or key (`# [sessions.accounts.kiosque2]`) is shown as it is.
        comment.append(text)
        continue
    header = re.match(r"^\[\[?([^\]]+)\]\]?$", line)
    if header:
        section = header.group(1)
        page.append(".SS [" + esc(section) + "]")
        if comment:
            page.append(esc(" ".join(comment)))
        comment = []
        continue
    key = re.match(r"^([A-Za-z0-9_\-]+)\s*=\s*(.*)$", line)
    if key:
        page.append(".TP")
        page.append("\\fB" + flag(key.group(1)) + "\\fR = " + esc(key.group(2)))
        page.append(esc(" ".join(comment)) if comment else esc("(see the section above / voir la section)"))
        comment = []
        continue
    if not line and comment and section is None:
        page.append(".PP")
        page.append(esc(" ".join(comment)))
        comment = []
page += [".SH SEE ALSO", "ardoise(8)"]
open(out + "/ardoise.toml.5", "w", encoding="utf-8").write("\n".join(page) + "\n")
