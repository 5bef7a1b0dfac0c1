Attribute VB_Name = "XlgoalsButtons"
' One Sub per worksheet button (captions live in the workbook, not here, so this file stays ASCII:
' VBA stores source in the project's code page). All logic runs in Python through xlwings' RunPython;
' xlgoals.macro.vba builds vbaProject.bin from this file and checks it against its button table.
Option Explicit

Public Sub ValidateActiveSheet()
    RunPython "import xlgoals.excel as x; x.validate_active()"
End Sub

Public Sub ValidateAll()
    RunPython "import xlgoals.excel as x; x.validate_all()"
End Sub

Public Sub AddProject()
    RunPython "import xlgoals.excel as x; x.add_project()"
End Sub

Public Sub RollUp()
    RunPython "import xlgoals.excel as x; x.rollup()"
End Sub

Public Sub ExportSummary()
    RunPython "import xlgoals.excel as x; x.export_summary()"
End Sub

Public Sub ConsolidateFolder()
    RunPython "import xlgoals.excel as x; x.consolidate_folder()"
End Sub
