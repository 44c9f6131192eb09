<#
.SYNOPSIS
  Is WSL2 with a Linux distribution ready for the Plumise Petals node?

.DESCRIPTION
  The node serves through hivemind's p2pd daemon, which has no Windows build, so on Windows it runs inside
  WSL2. This script only looks; it changes nothing. Used by the installer and by the app's first run.

  Exit codes (also the "code" field):
    0   ready: a WSL 2 distribution exists (the one named, or the default)
    10  WSL is not installed (or too old to answer)
    11  WSL is installed but has no Linux distribution
    12  the distribution runs on WSL 1
    13  the named distribution does not exist
  Unless -Quiet, writes one JSON object: {"code", "state", "distro", "message"}; message is a sentence a
  person can act on.
#>
param(
    [string]$Distro = "",
    [switch]$Quiet
)
$ErrorActionPreference = "Stop"

function Finish([int]$Code, [string]$State, [string]$Name, [string]$Message) {
    if (-not $Quiet) {
        [pscustomobject]@{ code = $Code; state = $State; distro = $Name; message = $Message } |
            ConvertTo-Json -Compress | Write-Output
    }
    exit $Code
}

$wsl = Join-Path $env:WINDIR "System32\wsl.exe"
if (-not (Test-Path $wsl)) {
    Finish 10 "missing" "" "WSL2 is not installed. Open PowerShell as administrator, run 'wsl --install', then restart Windows."
}
# wsl.exe writes UTF-16 unless WSL_UTF8 is set; strip NULs either way.
$env:WSL_UTF8 = "1"
& $wsl --status *> $null
if ($LASTEXITCODE -ne 0) {
    Finish 10 "missing" "" "WSL2 is not set up yet. Open PowerShell as administrator, run 'wsl --install', then restart Windows."
}
$lines = @(& $wsl --list --verbose 2>$null | ForEach-Object { ($_ -replace "`0", "").Trim() } | Where-Object { $_ })
if ($LASTEXITCODE -ne 0 -or $lines.Count -lt 2) {
    Finish 11 "no-distro" "" "WSL is installed but has no Linux distribution. Open PowerShell and run 'wsl --install -d Ubuntu'."
}
# Rows after the header: "[*] NAME STATE VERSION"; '*' marks the default distribution.
$rows = foreach ($line in $lines | Select-Object -Skip 1) {
    $isDefault = $line.StartsWith("*")
    $fields = ($line.TrimStart("*").Trim()) -split "\s+"
    if ($fields.Count -ge 3) {
        [pscustomobject]@{ Name = $fields[0]; Version = $fields[-1]; Default = $isDefault }
    }
}
if ($Distro) {
    $row = $rows | Where-Object { $_.Name -eq $Distro } | Select-Object -First 1
    if (-not $row) {
        Finish 13 "no-such-distro" $Distro "There is no WSL distribution named '$Distro'. Run 'wsl --list' to see the names, or 'wsl --install -d Ubuntu'."
    }
} else {
    $row = $rows | Where-Object { $_.Default } | Select-Object -First 1
    if (-not $row) { $row = $rows | Select-Object -First 1 }
}
if (-not $row) {
    Finish 11 "no-distro" "" "WSL is installed but has no Linux distribution. Open PowerShell and run 'wsl --install -d Ubuntu'."
}
if ($row.Version -ne "2") {
    Finish 12 "wsl1" $row.Name "'$($row.Name)' runs on WSL 1; the node needs WSL 2. Open PowerShell and run 'wsl --set-version $($row.Name) 2'."
}
Finish 0 "ready" $row.Name "WSL 2 is ready ('$($row.Name)')."
