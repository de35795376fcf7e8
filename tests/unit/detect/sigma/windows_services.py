"""The Windows services SigmaHQ's rules name, split by where their events come from.

Shared by ``test_windows_services.py`` (services with events in ``../shared/corpus/evtx``)
and ``test_windows_service_samples.py`` (services the corpus lacks, checked on the
project's own samples), so that together they cover every service exactly once.
"""

from __future__ import annotations

SERVICES_IN_CORPUS = [
    "application",
    "bits-client",
    "capi2",
    "dns-server",
    "firewall-as",
    "msexchange-management",
    "openssh",
    "powershell-classic",
    "printservice-admin",
    "printservice-operational",
    "security",
    "sysmon",
    "system",
    "windefend",
]
SERVICES_BY_SAMPLE = [
    "applocker",
    "appmodel-runtime",
    "appxdeployment-server",
    "appxpackaging-om",
    "certificateservicesclient-lifecycle-system",
    "codeintegrity-operational",
    "diagnosis-scripted",
    "dns-client",
    "dns-server-analytic",
    "driver-framework",
    "iis-configuration",
    "ldap",
    "lsa-server",
    "microsoft-servicebus-client",
    "ntlm",
    "security-mitigations",
    "shell-core",
    "smbclient-connectivity",
    "smbclient-security",
    "smbserver-connectivity",
    "taskscheduler",
    "terminalservices-localsessionmanager",
    "wmi",
]
