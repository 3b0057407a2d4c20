"""A stand-in for GNOME Shell's idle monitor on the session bus (org.gnome.Mutter.IdleMonitor.GetIdletime): the idle time
is the age of the file given, so that a test says when the last input was."""
import os, sys, time
import gi
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib

last_input = sys.argv[1]
XML = """<node><interface name="org.gnome.Mutter.IdleMonitor">
<method name="GetIdletime"><arg type="t" direction="out"/></method></interface></node>"""

def call(connection, sender, path, interface, method, parameters, invocation):
    idle = max(0, int((time.time() - os.stat(last_input).st_mtime) * 1000))
    invocation.return_value(GLib.Variant("(t)", (idle,)))

def acquired(connection, name):
    connection.register_object("/org/gnome/Mutter/IdleMonitor/Core", Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0], call, None, None)

Gio.bus_own_name(Gio.BusType.SESSION, "org.gnome.Mutter.IdleMonitor", Gio.BusNameOwnerFlags.NONE, acquired, None, None)
GLib.MainLoop().run()
