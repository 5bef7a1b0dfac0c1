Attribute VB_Name = "XlgoalsButtons"
' One Sub per worksheet button (captions live in the workbook, not here, so this file stays ASCII: VBA
' stores source in the project's code page; the Chinese messages come from XlgoalsText). A desk with
' xlgoals' Python runs the entry there through xlwings' RunPython; any other desk sends the workbook to
' the department's server named on the cover through xlwings' RunServerPython (module Remote), which
' applies the answer. All logic of the checks runs in Python either way.
Option Explicit

' The server answers within its own limits; past this VBA-Web gives up with an English "Request Timeout".
Private Const SERVER_TIMEOUT_MS As Long = 120000
' How long the reachability check waits before saying, in Chinese, that the server cannot be reached.
Private Const PROBE_TIMEOUT_MS As Long = 5000

Public Sub ValidateActiveSheet()
    RunEntry "validate_active"
End Sub

Public Sub ValidateAll()
    RunEntry "validate_all"
End Sub

Public Sub AddProject()
    RunEntry "add_project"
End Sub

Public Sub RollUp()
    RunEntry "rollup"
End Sub

Public Sub ExportSummary()
    RunEntry "export_summary", onServer:=False
End Sub

Public Sub ConsolidateFolder()
    RunEntry "consolidate_folder", onServer:=False
End Sub

' Local Python first (it can also reach local files); the server for entries that work on the workbook alone.
Private Sub RunEntry(entry As String, Optional onServer As Boolean = True)
    Dim server As String
    If LocalPython() Then
        RunPython "import xlgoals.excel as x; x." & entry & "()"
    ElseIf Not onServer Then
        MsgBox XlgoalsText.NeedsPython(), vbExclamation, "xlgoals"
    Else
        server = ServerAddress()
        If server = "" Then
            MsgBox XlgoalsText.NoServer(), vbExclamation, "xlgoals"
        ElseIf Not ServerAnswers(server) Then
            MsgBox XlgoalsText.Unreachable(server), vbExclamation, "xlgoals"
        Else
            ' The department token, if any, is AUTH in the xlwings.conf sheet or file: RunServerPython reads it.
            RunServerPython server & "/xlwings/vba/" & entry, timeout:=SERVER_TIMEOUT_MS
        End If
    End If
End Sub

' Python is usable when xlwings is told where it is (INTERPRETER_WIN in xlwings.conf, as `xlwings config
' create` writes it) and that interpreter's site-packages holds xlgoals: looked up on disk, so a desk
' without them never starts a process or meets xlwings' English errors.
Private Function LocalPython() As Boolean
    Dim interpreter As String, folder As String
    #If Mac Then
        interpreter = GetConfig("INTERPRETER_MAC", "")
    #Else
        interpreter = GetConfig("INTERPRETER_WIN", "")
    #End If
    If interpreter = "" Then interpreter = GetConfig("INTERPRETER", "")
    If interpreter = "" Then Exit Function
    If Not FileExists(interpreter) Then Exit Function
    #If Mac Then
        LocalPython = True
    #Else
        ' A virtual environment keeps python.exe in Scripts\, a full install beside Lib\.
        folder = ParentFolder(interpreter)
        LocalPython = HasXlgoals(folder & "\Lib\site-packages") Or HasXlgoals(folder & "\..\Lib\site-packages")
    #End If
End Function

Private Function HasXlgoals(sitePackages As String) As Boolean
    On Error Resume Next
    HasXlgoals = Dir(sitePackages & "\xlgoals-*.dist-info", vbDirectory) <> ""
End Function

' The cover's server address (B12), by its defined name: the code needs no Chinese sheet name.
Private Function ServerAddress() As String
    On Error Resume Next
    ServerAddress = Trim$(CStr(ThisWorkbook.Names("XlgoalsServer").RefersToRange.Value))
    On Error GoTo 0
    Do While Right$(ServerAddress, 1) = "/"
        ServerAddress = Left$(ServerAddress, Len(ServerAddress) - 1)
    Loop
End Function

' A short GET of /health through VBA-Web, the client RunServerPython itself uses.
Private Function ServerAnswers(server As String) As Boolean
    Dim client As New WebClient
    Dim response As WebResponse
    client.BaseUrl = server
    client.TimeoutMs = PROBE_TIMEOUT_MS
    client.insecure = LCase$(CStr(GetConfig("INSECURE", "false"))) = "true"
    On Error GoTo Failed
    Set response = client.GetJson("health")
    ServerAnswers = (response.StatusCode = 200)
Failed:
End Function
