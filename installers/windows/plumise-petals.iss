; Inno Setup 6 script: the Windows installer of the Plumise Petals desktop app.
;   iscc /DAppVersion=0.1.0 /DSourceDir=..\..\dist\plumise-petals installers\windows\plumise-petals.iss
; The Windows bundle is the Qt app only: hivemind's p2pd has no Windows build, so the node runs inside WSL2
; from the Linux archive. The installer ships the WSL scripts (wsl\) and the SHA256SUMS of the Linux
; archive of the same release; after installing it checks for WSL2, explains what is missing, and offers
; to set the node up inside WSL now. The app runs the same check on its first start.
; Per-user install (no administrator rights): WSL itself is the only part that needs them.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\plumise-petals"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef ReleaseBaseUrl
  ; Where this release's Linux archive is published; CI passes the repository's own release URL.
  #define ReleaseBaseUrl "https://github.com/plumise/plumise-petals/releases/download/v" + AppVersion
#endif
#define AppName "Plumise Petals"
; Single-quoted ISPP strings; each doubled quote becomes one quote character inside the quoted Parameters values.
#define SetupArgs '-NoProfile -ExecutionPolicy Bypass -File ""{app}\wsl\setup-wsl-node.ps1"" -Version ' + AppVersion + ' -BaseUrl ' + ReleaseBaseUrl
#define AppExe "plumise-petals-app.exe"

[Setup]
AppId={{6E0B7C2A-3F5D-4B7E-9C1A-57A1D2E0F4B1}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Plumise Petals maintainers
DefaultDirName={localappdata}\Programs\Plumise Petals
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; WSL2 needs Windows 10 version 2004 (build 19041) or later.
MinVersion=10.0.19041
OutputDir={#OutputDir}
OutputBaseFilename=PlumisePetals-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExe}
CloseApplications=yes
SetupLogging=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "korean"; MessagesFile: "compiler:Languages\Korean.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "wsl\check-wsl.ps1"; DestDir: "{app}\wsl"; Flags: ignoreversion
Source: "wsl\setup-wsl-node.ps1"; DestDir: "{app}\wsl"; Flags: ignoreversion
Source: "wsl\install-node.sh"; DestDir: "{app}\wsl"; Flags: ignoreversion
; SHA256SUMS of this release's Linux archive (the CI's Windows job copies it from the Linux job).
Source: "wsl\SHA256SUMS"; DestDir: "{app}\wsl"; Flags: ignoreversion skipifsourcedoesntexist

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\Set up the node in WSL2"; Filename: "powershell.exe"; Parameters: "{#SetupArgs}"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "powershell.exe"; Parameters: "{#SetupArgs}"; \
  Description: "Set up the node inside WSL2 now (downloads about 600 MB)"; \
  Flags: postinstall skipifsilent unchecked; Check: WslReady
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Code]
var
  WslState: Integer;  { -1 unknown, 0 ready, 10 no WSL, 11 no distribution, 12 only WSL 1 }

function InitializeSetup(): Boolean;
begin
  WslState := -1;
  Result := True;
end;

function CheckWsl(): Integer;
var
  Code: Integer;
begin
  if not Exec(ExpandConstant('{sys}\WindowsPowerShell\v1.0\powershell.exe'),
      '-NoProfile -ExecutionPolicy Bypass -File "' + ExpandConstant('{app}\wsl\check-wsl.ps1') + '" -Quiet',
      '', SW_HIDE, ewWaitUntilTerminated, Code) then
    Code := -1;
  Result := Code;
end;

function WslReady(): Boolean;
begin
  Result := WslState = 0;
end;

procedure CurStepChanged(CurStep: TSetupStep);
var
  Msg: String;
begin
  if CurStep = ssPostInstall then
  begin
    WslState := CheckWsl();
    if WslState <> 0 then
    begin
      Msg := 'Plumise Petals earns by serving part of an AI model. On Windows that part runs inside WSL2 ' +
        '(Windows Subsystem for Linux), which this computer does not have ready yet.' + #13#10#13#10;
      case WslState of
        10: Msg := Msg + 'To install it: open PowerShell as administrator, run   wsl --install   and restart Windows.';
        11: Msg := Msg + 'WSL is installed but has no Linux distribution. Open PowerShell and run   wsl --install -d Ubuntu';
        12: Msg := Msg + 'Your Linux distribution runs on WSL 1. Open PowerShell and run   wsl --set-version Ubuntu 2';
      else
        Msg := Msg + 'Open PowerShell as administrator, run   wsl --install   and restart Windows.';
      end;
      Msg := Msg + #13#10#13#10 + 'Then start Plumise Petals: it finishes the set-up itself. ' +
        'You can use the wallet and see your earnings meanwhile.';
      MsgBox(Msg, mbInformation, MB_OK);
    end;
  end;
end;
