<#
.SYNOPSIS
  Install the Plumise Petals node (the Linux build) inside WSL2, where the Windows app runs it.

.DESCRIPTION
  1. checks WSL2 (check-wsl.ps1) and explains what is missing;
  2. takes the Linux archive of the same release (-Archive, or downloads it from -BaseUrl) and checks its
     SHA-256 against the SHA256SUMS shipped with the installer;
  3. unpacks it inside the distribution with install-node.sh (no root needed: ~/.local/share/plumise-petals);
  4. records where the node is in %LOCALAPPDATA%\Plumise Petals\wsl-node.json, which the app reads to build
     its command line:  wsl.exe -d <distro> -- <node> -m core serve …
  5. with -SelfTest, runs the node's --self-test inside WSL (a local network, a tiny model, a report).

  Exit codes: 0 done; 10-13 as check-wsl.ps1 (WSL not ready); 20 download failed; 21 checksum mismatch;
  22 the install inside WSL failed; 23 the self-test failed.
#>
param(
    [Parameter(Mandatory = $true)][string]$Version,
    [string]$Distro = "",
    [string]$Archive = "",
    [string]$BaseUrl = "https://github.com/plumise/plumise-petals/releases/download/v$Version",
    [switch]$SelfTest
)
$ErrorActionPreference = "Stop"
$ProgressPreference = "SilentlyContinue"  # Invoke-WebRequest is many times slower with the progress bar
$wsl = Join-Path $env:WINDIR "System32\wsl.exe"
$env:WSL_UTF8 = "1"

function Say([string]$Text) { Write-Host "Plumise Petals: $Text" }

# 1. WSL2 ready?
$checkArgs = @{}
if ($Distro) { $checkArgs.Distro = $Distro }
$check = & (Join-Path $PSScriptRoot "check-wsl.ps1") @checkArgs | ConvertFrom-Json
if ($check.code -ne 0) {
    Say $check.message
    exit $check.code
}
$Distro = $check.distro
Say "using WSL 2 distribution '$Distro'."
$distroArgs = @("-d", $Distro)

# 2. The Linux archive, checked.
$name = "plumise-petals-$Version-linux-x86_64.tar.gz"
if (-not $Archive) {
    $Archive = Join-Path $env:TEMP $name
    Say "downloading $name (about 600 MB)..."
    try {
        Invoke-WebRequest -Uri "$BaseUrl/$name" -OutFile $Archive -UseBasicParsing
    } catch {
        Say "the download failed: $($_.Exception.Message). Check the internet connection and try again."
        exit 20
    }
}
$sums = Join-Path $PSScriptRoot "SHA256SUMS"
$actual = (Get-FileHash -Algorithm SHA256 -Path $Archive).Hash.ToLowerInvariant()
if (Test-Path $sums) {
    $expected = (Get-Content $sums | Where-Object { $_ -match "\s\*?$([regex]::Escape($name))$" } | Select-Object -First 1)
    if (-not $expected -or ($expected -split "\s+")[0].ToLowerInvariant() -ne $actual) {
        Say "the downloaded file does not match this release's checksum; it was not installed. Try again later."
        Remove-Item -Force $Archive -ErrorAction SilentlyContinue
        exit 21
    }
    Say "checksum verified ($actual)."
} else {
    Say "warning: no SHA256SUMS shipped with this installer; the archive's SHA-256 is $actual."
}

# 3. Install inside WSL (paths converted with wslpath: C:\... -> /mnt/c/...).
$wslArchive = (& $wsl @distroArgs -- wslpath -a -u ($Archive -replace "\\", "/")).Trim()
$wslScript = (& $wsl @distroArgs -- wslpath -a -u ((Join-Path $PSScriptRoot "install-node.sh") -replace "\\", "/")).Trim()
$output = & $wsl @distroArgs -- bash $wslScript $wslArchive $Version $actual
$output | ForEach-Object { Write-Host $_ }
if ($LASTEXITCODE -ne 0) {
    Say "installing the node inside WSL failed (exit code $LASTEXITCODE); see the lines above."
    exit 22
}
$node = ($output | Where-Object { $_ -like "NODE=*" } | Select-Object -Last 1) -replace "^NODE=", ""

# 4. Tell the app.
$stateDir = Join-Path $env:LOCALAPPDATA "Plumise Petals"
New-Item -ItemType Directory -Force -Path $stateDir | Out-Null
[pscustomobject]@{ distro = $Distro; node = $node; version = $Version } |
    ConvertTo-Json | Set-Content -Encoding UTF8 -Path (Join-Path $stateDir "wsl-node.json")
Say "the node is installed in WSL at $node."

# 5. Optional end-to-end check.
if ($SelfTest) {
    & $wsl @distroArgs -- $node --self-test
    if ($LASTEXITCODE -ne 0) { Say "the self-test failed; see the lines above."; exit 23 }
}
exit 0
