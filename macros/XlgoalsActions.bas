Attribute VB_Name = "XlgoalsActions"
' Actions xlwings' remote engine sends that Remote.bas of the same xlwings release does not apply.
' RunServerPython runs each action by name (Application.Run action("func"), wb, action), so a public Sub
' of that name here is what makes it land; the arguments are as xlwings/pro/_xlremote.py writes them and
' GetRange/HexToRgb are Remote.bas' own helpers.
Option Explicit

' The engine passes column widths in points (Office.js' unit); the VBA object model counts characters.
' Same factor as xlgoals.excel.POINTS_PER_CHARACTER, which scaled them.
Private Const POINTS_PER_CHARACTER As Double = 5.6

Public Sub setFontProperty(wb As Workbook, action As Dictionary)
    With GetRange(wb, action).Font
        Select Case action("args")(1)
        Case "bold"
            .Bold = action("args")(2)
        Case "italic"
            .Italic = action("args")(2)
        Case "size"
            .Size = action("args")(2)
        Case "name"
            .Name = action("args")(2)
        Case "color"
            .Color = HexToRgb(action("args")(2))
        End Select
    End With
End Sub

Public Sub setColumnWidth(wb As Workbook, action As Dictionary)
    GetRange(wb, action).ColumnWidth = action("args")(1) / POINTS_PER_CHARACTER
End Sub

Public Sub setRowHeight(wb As Workbook, action As Dictionary)
    GetRange(wb, action).RowHeight = action("args")(1)
End Sub

Public Sub setWrapText(wb As Workbook, action As Dictionary)
    GetRange(wb, action).WrapText = action("args")(1)
End Sub

Public Sub setSheetVisibility(wb As Workbook, action As Dictionary)
    Select Case action("args")(1)
    Case "Visible"
        wb.Worksheets(action("sheet_position") + 1).Visible = xlSheetVisible
    Case "Hidden"
        wb.Worksheets(action("sheet_position") + 1).Visible = xlSheetHidden
    Case Else
        wb.Worksheets(action("sheet_position") + 1).Visible = xlSheetVeryHidden
    End Select
End Sub

' args: "Before" or "After", the target sheet's 0-based position before the copy, the copy's name.
Public Sub copySheet(wb As Workbook, action As Dictionary)
    Dim target As Worksheet, position As Long
    Set target = wb.Worksheets(action("args")(2) + 1)
    If action("args")(1) = "Before" Then
        wb.Worksheets(action("sheet_position") + 1).Copy Before:=target
        position = target.Index - 1
    Else
        wb.Worksheets(action("sheet_position") + 1).Copy After:=target
        position = target.Index + 1
    End If
    wb.Sheets(position).Name = action("args")(3)
End Sub
