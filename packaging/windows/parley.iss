; Inno Setup 6 script: installs the PyInstaller bundle dist\parley\ for the current user
; (no administrator rights needed) with a Start menu entry and an uninstaller.
;
;   pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller packaging\parley.spec
;   iscc /DAppVersion=0.1.0 packaging\windows\parley.iss
;
; Output: dist\parley-<version>-setup.exe. Not built or run on Parley's Linux machines;
; packaging\ci\build.yml builds it on a Windows runner (see packaging\README.md).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
; A fixed AppId lets an upgrade replace the installed version instead of adding a second one.
AppId={{8E4C5B1A-3D2F-4F6E-9A7B-1C0D2E3F4A5B}
AppName=Parley
AppVersion={#AppVersion}
AppPublisher=Parley developers
DefaultDirName={autopf}\Parley
DefaultGroupName=Parley
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=parley-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\parley.exe

[Files]
Source: "..\..\dist\parley\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Parley"; Filename: "{app}\parley.exe"
Name: "{autodesktop}\Parley"; Filename: "{app}\parley.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Run]
Filename: "{app}\parley.exe"; Description: "{cm:LaunchProgram,Parley}"; Flags: nowait postinstall skipifsilent
